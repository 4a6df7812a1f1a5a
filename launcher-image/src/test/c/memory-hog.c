/* Touches MiB after MiB (argv[1], default 1024): far beyond any limit the tests give it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 1024;
    for (long i = 1; i <= mib; i++) {
        char *p = malloc(1 << 20);
        if (!p)
            return 1;
        memset(p, 1, 1 << 20);
    }
    printf("touched %ld MiB\n", mib);
    return 0;
}
