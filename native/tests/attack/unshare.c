/* Attack: namespaces: unshare(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWPID)
 * (a user namespace would give the program capabilities over new namespaces).
 * Must happen: SyscallViolation, syscall "unshare". */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) != 0)
        printf("refused: unshare %s\n", strerrorname_np(errno));
    else
        printf("BREACH: unshare succeeded\n");
    return 0;
}
