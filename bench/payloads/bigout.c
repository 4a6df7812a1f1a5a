/* Throughput: N MiB of stdout (argv[1]) in 64 KiB writes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    static char buf[65536];
    long mib = argc > 1 ? atol(argv[1]) : 256;
    memset(buf, 'y', sizeof buf);
    for (long i = 0; i < mib * 16; i++) {
        size_t off = 0;
        while (off < sizeof buf) {
            ssize_t n = write(1, buf + off, sizeof buf - off);
            if (n <= 0) return 1;
            off += (size_t)n;
        }
    }
    return 0;
}
