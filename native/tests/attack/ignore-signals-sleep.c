/* Attack: outlive the wall clock limit: ignore every catchable signal
 * (SIGTERM, SIGINT, SIGHUP, SIGALRM...), block them too, then sleep forever.
 * Must happen: WallTimeLimitExceeded soon after --wall-ms; no process left. */
#include <signal.h>
#include <stdio.h>
#include <time.h>

int main(void)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (int s = 1; s < 65; s++)
        signal(s, SIG_IGN);
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
}
