/* Attack: hide behind a slow reader of the launcher's stdout. Writes argv[1]
 * KiB (default 512: less than its stdout pipe holds, so a stalled reader
 * never blocks it) to stdout, then:
 *   touch MIB   touches MIB MiB (default 300) and sleeps 10 s, then exits 0
 *   spin        spins for ever
 * Must happen, while nobody reads the launcher's stdout for seconds: the
 * limits are enforced on time all the same (--memory=64M: MemoryLimitExceeded
 * within a few seconds; --cpu-ms=500: CpuTimeLimitExceeded near 500 ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    size_t kib = argc > 1 ? (size_t)atol(argv[1]) : 512;
    const char *then = argc > 2 ? argv[2] : "touch";
    static char line[1024];
    memset(line, 'x', sizeof line);
    line[sizeof line - 1] = '\n';
    for (size_t i = 0; i < kib; i++) {
        size_t done = 0;
        while (done < sizeof line) {
            ssize_t n = write(1, line + done, sizeof line - done);
            if (n <= 0)
                return 2;
            done += (size_t)n;
        }
    }
    if (strcmp(then, "spin") == 0) {
        volatile unsigned long x = 0;
        for (;;)
            x++;
    }
    size_t size = (size_t)(argc > 3 ? atol(argv[3]) : 300) << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 3;
    for (size_t off = 0; off < size; off += 4096)
        p[off] = 1;
    struct timespec ts = { 10, 0 };
    nanosleep(&ts, NULL);
    return 0;
}
