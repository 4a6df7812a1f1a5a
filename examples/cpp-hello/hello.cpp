// A C++ program of real size: iostream, std::map, std::string, an exception.
// Static with glibc it is about 2 MiB, more than one ConfigMap holds, so it is
// delivered to the launcher in parts (--program-part) with its SHA-256.
// Build: g++ -static -O2 -o cpp-hello hello.cpp
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

static int parse(const std::string &s)
{
    std::istringstream in(s);
    int v;
    if (!(in >> v)) throw std::invalid_argument("not a number: " + s);
    return v;
}

int main()
{
    std::map<std::string, int> count;
    std::istringstream text("the quick brown fox jumps over the lazy dog the end");
    for (std::string w; text >> w;) count[w]++;
    std::cout << "Hello from C++ (iostream, static)\n";
    for (const auto &kv : count) std::cout << kv.first << ' ' << kv.second << '\n';
    try {
        parse("forty-two");
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << '\n';
    }
    std::cout << "sum: " << parse("40") + parse("2") << std::endl;
    return 0;
}
