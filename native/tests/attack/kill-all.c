/* Attack: kill(-1, SIGKILL): every process the program may signal (with a
 * shared uid: the launcher and anything else of that user).
 * Must happen: the launcher survives and reports (exit status 0); the call is
 * killed (SyscallViolation "kill") or refused with an errno. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    fflush(stdout);
    if (kill(-1, SIGKILL) != 0)
        printf("refused: kill %s\n", strerrorname_np(errno));
    else
        printf("BREACH: kill(-1) succeeded\n");
    return 0;
}
