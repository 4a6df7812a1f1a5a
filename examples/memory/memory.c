/* A memory-limit demonstration: touches N MiB (argv[1], default 256), one
 * MiB at a time, and says how far it got every 16 MiB. Under limits.memory:
 * 64Mi it never reaches the end: MemoryLimitExceeded.
 * Build: gcc -static -O2 -o memory memory.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 256;
    printf("touching %ld MiB\n", mib);
    fflush(stdout);
    for (long i = 1; i <= mib; i++) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("malloc failed at %ld MiB\n", i);
            return 1;
        }
        memset(p, 1, 1 << 20);
        if (i % 16 == 0 && i < 48) {
            printf("%ld MiB\n", i);
            fflush(stdout);
        }
    }
    printf("done: %ld MiB\n", mib);
    return 0;
}
