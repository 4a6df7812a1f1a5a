/* Attack: kill the launcher: kill(getppid(), SIGKILL). As a pod's
 * unprivileged user the program and the launcher share a uid, so only the
 * filter stands in the way.
 * Must happen: the launcher survives and reports (exit status 0, a result);
 * the call is killed (SyscallViolation "kill") or refused with an errno. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    pid_t pp = getppid();
    printf("parent %d\n", (int)pp);
    fflush(stdout);
    if (kill(pp, SIGKILL) != 0)
        printf("refused: kill %s\n", strerrorname_np(errno));
    else
        printf("BREACH: signalled the launcher\n");
    return 0;
}
