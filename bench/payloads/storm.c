/* The syscall storm: N one-byte writes to stdout (argv[1]). */
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    for (long i = 0; i < n; i++)
        if (write(1, "x", 1) != 1) return 1;
    return 0;
}
