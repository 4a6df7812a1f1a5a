/* Attack: stop itself with SIGSTOP (raise), hoping a stopped program is
 * neither timed out nor killed, and lingers after the launcher.
 * Must happen: WallTimeLimitExceeded soon after --wall-ms (or the raise is
 * killed: SyscallViolation "tgkill"); no process left behind. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
    printf("stopping\n");
    fflush(stdout);
    raise(SIGSTOP);
    printf("resumed\n");
    return 0;
}
