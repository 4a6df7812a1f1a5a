// Well-behaved: static glibc C++ (libstdc++): iostream, an exception thrown
// and caught, std::map, std::vector, std::sort. Expected stdout, exactly:
//   caught: boom 42
//   a=1
//   b=2
//   c=3
//   sorted: 1 3 5 9
// exit 0; verdict Completed under compute.
#include <algorithm>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

static int thrower(int x)
{
    if (x > 0)
        throw std::runtime_error("boom " + std::to_string(x));
    return x;
}

int main()
{
    try {
        thrower(42);
        std::cout << "not reached\n";
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << '\n';
    }
    std::map<std::string, int> m{{"c", 3}, {"a", 1}, {"b", 2}};
    for (const auto &kv : m)
        std::cout << kv.first << '=' << kv.second << '\n';
    std::vector<int> v{5, 3, 9, 1};
    std::sort(v.begin(), v.end());
    std::cout << "sorted:";
    for (int x : v)
        std::cout << ' ' << x;
    std::cout << std::endl;
    return 0;
}
