/* Attack: process creation with the fork system call (raw, not glibc's fork).
 * Must happen: SyscallViolation, syscall "fork"; no child survives (the child
 * would print "BREACH" and linger 60 s). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    long pid = syscall(SYS_fork);
    if (pid == 0) {
        printf("BREACH: child process\n");
        fflush(stdout);
        struct timespec ts = {60, 0};
        nanosleep(&ts, NULL);
        _exit(42);
    }
    if (pid < 0)
        printf("refused: fork %s\n", strerrorname_np(errno));
    else
        printf("BREACH: forked %ld\n", pid);
    return 0;
}
