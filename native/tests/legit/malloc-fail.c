/* Limits: allocates and touches 1 MiB blocks until malloc returns NULL, then
 * prints "malloc-fail: out of memory after N MiB" to stderr and exits 1 (what
 * a careful program does when its allocation fails). The launcher must still
 * say MemoryLimitExceeded, whether its limit made malloc fail or killed the
 * program first. Gives up (exit 2) after 64 GiB. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    long mib = 0;
    for (; mib < 64 * 1024; mib++) {
        volatile char *p = malloc(1 << 20);
        if (!p) {
            fprintf(stderr, "malloc-fail: out of memory after %ld MiB\n", mib);
            return 1;
        }
        for (int off = 0; off < (1 << 20); off += 4096)
            p[off] = 1;
    }
    printf("never failed\n");
    return 2;
}
