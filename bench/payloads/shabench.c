/* Prints the milliseconds SHA-256 (the launcher's own code) takes over N MiB
 * in memory: the part of the stdout relay no launcher that checks its output
 * can avoid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sha256.h"

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 256;
    static unsigned char buf[1 << 20];
    memset(buf, 'y', sizeof buf);
    sr_sha256 c;
    unsigned char d[32];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    sr_sha256_init(&c);
    for (size_t i = 0; i < mib; i++) sr_sha256_update(&c, buf, sizeof buf);
    sr_sha256_final(&c, d);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    return d[0] == 0x42 && d[1] == 0x42;   /* keep the digest alive */
}
