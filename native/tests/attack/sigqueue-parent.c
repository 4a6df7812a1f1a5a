/* Attack: kill the launcher through rt_sigqueueinfo(getppid(), SIGKILL).
 * Must happen: the launcher survives and reports (exit status 0); the call is
 * killed (SyscallViolation "rt_sigqueueinfo") or refused with an errno. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGKILL;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    fflush(stdout);
    if (syscall(SYS_rt_sigqueueinfo, getppid(), SIGKILL, &si) != 0)
        printf("refused: rt_sigqueueinfo %s\n", strerrorname_np(errno));
    else
        printf("BREACH: rt_sigqueueinfo reached the launcher\n");
    return 0;
}
