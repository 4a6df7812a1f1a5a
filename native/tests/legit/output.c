/* Limits: writes exactly argv[1] bytes to stdout and exits 0. Byte i is
 * '\n' when i % 64 == 63, else 'A' + i % 26 (the tests rebuild the same bytes).
 * With --stdout-max=N: N bytes must complete, N + 1 must end the run with
 * OutputLimitExceeded after exactly N bytes were passed on. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long long n = argc > 1 ? atoll(argv[1]) : 0;
    static char buf[65536];
    long long i = 0;
    while (i < n) {
        size_t len = 0;
        while (len < sizeof buf && i + (long long)len < n) {
            long long j = i + (long long)len;
            buf[len++] = j % 64 == 63 ? '\n' : (char)('A' + j % 26);
        }
        for (size_t off = 0; off < len;) {
            ssize_t w = write(1, buf + off, len - off);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return 3;
            }
            off += (size_t)w;
        }
        i += (long long)len;
    }
    return 0;
}
