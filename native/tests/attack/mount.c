/* Attack: mounts: mount("none", "/tmp", "tmpfs", 0, "").
 * Must happen: SyscallViolation, syscall "mount". */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if (mount("none", "/tmp", "tmpfs", 0, "") != 0)
        printf("refused: mount %s\n", strerrorname_np(errno));
    else
        printf("BREACH: mount succeeded\n");
    return 0;
}
