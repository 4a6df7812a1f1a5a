/* Attack: process creation with clone(SIGCHLD) (fork semantics, raw call).
 * Must happen: SyscallViolation, syscall "clone"; no child survives (the
 * child would print "BREACH" and linger 60 s). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        printf("BREACH: clone child\n");
        fflush(stdout);
        struct timespec ts = {60, 0};
        nanosleep(&ts, NULL);
        _exit(42);
    }
    if (pid < 0)
        printf("refused: clone %s\n", strerrorname_np(errno));
    else
        printf("BREACH: cloned %ld\n", pid);
    return 0;
}
