/* Attack: memory the limit does not see. Maps argv[1] MiB (default 65536,
 * 64 GiB: past any memory prefix) of huge pages, PROT_READ|PROT_WRITE,
 * MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_NORESERVE. Refused with EPERM:
 * prints "refused: EPERM", exits 42. Refused otherwise: prints the errno,
 * exits 43. Mapped: touches 128 MiB of it (at most its size), prints
 * "BREACH: huge pages mapped", exits 0.
 * Must happen, at every size and with --memory=16M: NonZeroExit 42 (huge
 * pages are counted neither by the memory cgroup nor in resident memory). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 65536;
    size_t size = mib << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        printf("refused: %s\n", strerrorname_np(e));
        return e == EPERM ? 42 : 43;
    }
    printf("BREACH: huge pages mapped\n");
    fflush(stdout);
    size_t touch = size < (128u << 20) ? size : (128u << 20);
    for (size_t off = 0; off < touch; off += 4096)
        p[off] = 1;
    return 0;
}
