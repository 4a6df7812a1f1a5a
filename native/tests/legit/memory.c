/* Limits: touches argv[1] MiB of heap (malloc, one write per 4 KiB page, so
 * every page is charged), optionally first reserving argv[2] MiB of address
 * space it never touches (mmap MAP_NORESERVE). Prints "OK\n" and exits 0.
 * The contract limits pages used, not address space reserved: touching 3/4
 * of --memory must complete, even with a reservation larger than --memory;
 * touching well past it must end in MemoryLimitExceeded. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long touch = argc > 1 ? atol(argv[1]) : 0;
    long reserve = argc > 2 ? atol(argv[2]) : 0;
    if (reserve > 0) {
        void *r = mmap(NULL, (size_t)reserve << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r == MAP_FAILED) {
            printf("reserve of %ld MiB failed\n", reserve);
            return 3;
        }
    }
    volatile char *p = malloc((size_t)touch << 20);
    if (touch > 0 && !p) {
        printf("malloc of %ld MiB failed\n", touch);
        return 4;
    }
    for (size_t off = 0; off < ((size_t)touch << 20); off += 4096)
        p[off] = 1;
    printf("OK\n");
    return 0;
}
