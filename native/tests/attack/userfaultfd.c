/* Attack: userfaultfd (stalls kernel code on page faults, a classic race
 * widener in exploits). Must happen: SyscallViolation, syscall
 * "userfaultfd". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd < 0)
        printf("refused: userfaultfd %s\n", strerrorname_np(errno));
    else
        printf("BREACH: userfaultfd %ld\n", fd);
    return 0;
}
