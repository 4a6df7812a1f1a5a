/* Attack: escape the memory limit with memory an rlimit may not count:
 * touches argv[1] MiB of a MAP_SHARED anonymous mapping (not "data" for
 * RLIMIT_DATA), then prints "OK". Must happen, when argv[1] is well past
 * --memory: MemoryLimitExceeded (killed, or the mapping refused and the
 * program gives up with exit 1); never "OK". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 160;
    volatile char *p = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "memory-shared: mmap %s\n", strerrorname_np(errno));
        return 1;
    }
    for (size_t off = 0; off < ((size_t)mib << 20); off += 4096)
        p[off] = 1;
    printf("OK\n");
    return 0;
}
