// A C++ program as people write them: iostream and the standard containers, linked statically
// (g++ -static -O2 makes it about 2.2 MB, more than one ConfigMap holds: it runs from parts).
#include <iostream>
#include <map>
#include <string>

int main(int argc, char **argv) {
    std::map<std::string, int> words;
    for (int i = 1; i < argc; i++) {
        words[argv[i]]++;
    }
    std::cout << "hello from C++: " << words.size() << " distinct words\n";
    return 0;
}
