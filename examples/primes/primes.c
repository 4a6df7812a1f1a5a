/* The primes below N, one per line: a well-behaved compute-only program.
 * Build: gcc -static -O2 -o primes primes.c */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100;
    if (n < 2 || n > 100000000) {
        fprintf(stderr, "usage: primes N (2..100000000)\n");
        return 2;
    }
    char *composite = calloc((size_t)n, 1);
    if (!composite) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (long i = 2; i < n; i++) {
        if (composite[i]) continue;
        printf("%ld\n", i);
        for (long j = i * i; j < n; j += i) composite[j] = 1;
    }
    free(composite);
    return 0;
}
