/* Limits: burns CPU. argv[1] is a number of milliseconds of CPU time (this
 * process's own CPU clock) or "forever". Prints "spun\n" when done.
 * Under --cpu-ms below the spin, the verdict must be CpuTimeLimitExceeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    int forever = argc < 2 || strcmp(argv[1], "forever") == 0;
    long long ms = forever ? 0 : atoll(argv[1]);
    volatile unsigned long x = 0;
    for (;;) {
        for (int i = 0; i < 200000; i++)
            x += i;
        if (!forever && cpu_ms() >= ms)
            break;
    }
    printf("spun\n");
    return 0;
}
