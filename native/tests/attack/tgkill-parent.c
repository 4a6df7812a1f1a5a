/* Attack: kill the launcher through tgkill(getppid(), getppid(), SIGKILL)
 * (a filter that lets abort() raise signals with tgkill cannot know pids at
 * build time). Must happen: the launcher survives and reports (exit status
 * 0); the call is killed (SyscallViolation "tgkill") or refused with an errno. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    pid_t pp = getppid();
    fflush(stdout);
    if (syscall(SYS_tgkill, pp, pp, SIGKILL) != 0)
        printf("refused: tgkill %s\n", strerrorname_np(errno));
    else
        printf("BREACH: tgkill reached the launcher\n");
    return 0;
}
