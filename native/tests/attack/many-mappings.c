/* Attack: memory the kernel spends on the program's behalf. Reserves
 * 2 x argv[1] pages (default 32500) PROT_NONE, then makes every other page
 * PROT_READ|PROT_WRITE: 2 x argv[1] mappings that cannot merge (65,000 by
 * default, under the kernel's 65,530), about 15 MB of kernel memory while
 * almost nothing is touched. Prints "mapped N", holds them 1 s, exits 0.
 * Must happen, with --memory=8M: MemoryLimitExceeded (mappings count, or
 * their number is capped). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
    long pairs = argc > 1 ? atol(argv[1]) : 32500;
    size_t page = 4096;
    char *base = mmap(NULL, 2 * pairs * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        printf("reserve failed\n");
        return 2;
    }
    for (long i = 0; i < pairs; i++) {
        if (mprotect(base + 2 * i * page, page, PROT_READ | PROT_WRITE) != 0) {
            printf("mprotect failed after %ld\n", i);
            return 3;
        }
    }
    printf("mapped %ld\n", 2 * pairs);
    fflush(stdout);
    struct timespec ts = { 1, 0 };
    nanosleep(&ts, NULL);
    return 0;
}
