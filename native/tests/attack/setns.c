/* Attack: namespaces: setns(0, 0) (join another namespace; fd 0 is not one,
 * but the call must never reach the kernel).
 * Must happen: SyscallViolation, syscall "setns". */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if (setns(0, 0) != 0)
        printf("refused: setns %s\n", strerrorname_np(errno));
    else
        printf("BREACH: setns succeeded\n");
    return 0;
}
