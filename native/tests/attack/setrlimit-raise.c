/* Attack: raise the limits the launcher set (RLIMIT_CPU, RLIMIT_AS,
 * RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE) to infinity, then
 * spin forever. Must happen: setrlimit itself is allowed (a program may
 * change its limits within the hard limits), but every limit the launcher
 * set has that value as its hard limit too: raising RLIMIT_CPU, RLIMIT_FSIZE,
 * RLIMIT_CORE and RLIMIT_NOFILE fails with EPERM ("refused: setrlimit N
 * EPERM"), and the CPU limit still ends the run (CpuTimeLimitExceeded). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(void)
{
    int res[] = {RLIMIT_CPU, RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE};
    fflush(stdout);
    for (unsigned i = 0; i < sizeof res / sizeof res[0]; i++) {
        struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY};
        if (setrlimit(res[i], &inf) != 0)
            printf("refused: setrlimit %d %s\n", res[i], strerrorname_np(errno));
        else
            printf("raised %d\n", res[i]);
    }
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;)
        x++;
}
