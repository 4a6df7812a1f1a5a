/* Attack: use up the per-user signal quota with queued real-time signals.
 * Real-time signals queue (each one pending takes a slot of a quota counted
 * per user), and every run is uid 65534: blocks SIGRTMIN and sends it to
 * itself 100,000 times, then reports how many were queued.
 * Must happen: SyscallViolation "tgkill" at the first real-time signal
 * (signals below SIGRTMIN, which do not queue, stay allowed: abort works). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    long queued = 0;
    for (int i = 0; i < 100000; i++)
        if (syscall(SYS_tgkill, getpid(), gettid(), SIGRTMIN) == 0) queued++;
    printf("refused: queued %ld real-time signals\n", queued);
    return 0;
}
