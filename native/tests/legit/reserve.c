/* Limits: a legitimate reservation it never touches. Maps argv[1] MiB
 * (default 512) PROT_READ|PROT_WRITE, with MAP_NORESERVE when argv[3] is
 * "noreserve", touches its first MiB, prints "reserved N MiB, touched 1 MiB"
 * and exits with argv[2] (default 3: a "wrong answer" of its own).
 * Must happen, with --memory=64M: the reservation is the program's right (the
 * contract limits memory used, not reserved), so exit 3 is NonZeroExit (not
 * MemoryLimitExceeded) and exit 0 is Completed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 512;
    int code = argc > 2 ? atoi(argv[2]) : 3;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
    if (argc > 3 && strcmp(argv[3], "noreserve") == 0)
        flags |= MAP_NORESERVE;
    volatile char *p = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap of %ld MiB failed\n", mib);
        return 2;
    }
    for (size_t off = 0; off < (1u << 20); off += 4096)
        p[off] = 1;
    printf("reserved %ld MiB, touched 1 MiB\n", mib);
    return code;
}
