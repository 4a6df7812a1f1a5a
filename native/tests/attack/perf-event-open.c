/* Attack: perf_event_open (counters and samples of other processes, a
 * long record of kernel bugs). Must happen: SyscallViolation, syscall
 * "perf_event_open". */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.type = PERF_TYPE_SOFTWARE;
    a.size = sizeof a;
    a.config = PERF_COUNT_SW_CPU_CLOCK;
    fflush(stdout);
    long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    if (fd < 0)
        printf("refused: perf_event_open %s\n", strerrorname_np(errno));
    else
        printf("BREACH: perf event %ld\n", fd);
    return 0;
}
