/* Attack: the root folder: chdir("/") then chroot("/tmp").
 * Must happen: killed (SyscallViolation, syscall "chdir" or "chroot") or
 * refused with an errno; never a changed root. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if ((chdir("/"), chroot("/tmp")) != 0)
        printf("refused: chroot %s\n", strerrorname_np(errno));
    else
        printf("BREACH: chroot succeeded\n");
    return 0;
}
