/* Attack: dodge the kill of a denied call. A violation is sent to the
 * supervisor, which kills the program before answering; a handled signal
 * without SA_RESTART that arrives before the supervisor takes the
 * notification withdraws it, and the call returns EINTR. The test stops the
 * launcher (SIGSTOP) to hold that window open: the program sleeps 1 s, arms
 * a 1 s alarm, calls socket() (denied), gets EINTR when the alarm fires,
 * says so and exits.
 * Must happen: SyscallViolation all the same (the supervisor sees the gap in
 * the notification ids at the program's exit), never Completed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;                   /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct timespec one = { 1, 0 };
    nanosleep(&one, NULL);
    alarm(1);
    long r = syscall(SYS_socket, 2, 1, 0);
    printf("dodged: socket returned %ld (%s)\n", r, strerror(errno));
    return 0;
}
