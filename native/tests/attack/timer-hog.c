/* Attack: use up the per-user signal quota. POSIX timers (and pending
 * signals) are counted per user, not per process, and every run is uid
 * 65534: a run that holds all of them leaves none to the others. Creates
 * timers (timer_create, SIGEV_SIGNAL) until argv[1] (default 1000000) or the
 * first failure, prints "timers: N" (and the failing errno, if one failed),
 * holds them argv[2] ms (default 0), exits 0.
 * Must happen: SyscallViolation "timer_create": no run gets POSIX timers, so
 * none can take the others' share (alarm and setitimer remain, one each). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 1000000;
    long hold_ms = argc > 2 ? atol(argv[2]) : 0;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN;
    long n = 0;
    int err = 0;
    for (; n < want; n++) {
        int id;
        if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) < 0) {
            err = errno;
            break;
        }
    }
    if (err)
        printf("timers: %ld, then %s\n", n, err == EAGAIN ? "EAGAIN" : strerror(err));
    else
        printf("timers: %ld\n", n);
    fflush(stdout);
    struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    return 0;
}
