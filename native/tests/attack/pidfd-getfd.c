/* Attack: steal the launcher's descriptors: pidfd_open(getppid()) then
 * pidfd_getfd for its fds 0..63 (its result file, its pipes, its cgroup).
 * Must happen: killed (SyscallViolation "pidfd_open" or "pidfd_getfd") or
 * refused with an errno; no descriptor obtained. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    long pfd = syscall(SYS_pidfd_open, getppid(), 0);
    if (pfd < 0) {
        printf("refused: pidfd_open %s\n", strerrorname_np(errno));
        return 0;
    }
    int got = 0;
    for (int fd = 0; fd < 64; fd++) {
        long r = syscall(SYS_pidfd_getfd, pfd, fd, 0);
        if (r >= 0) {
            printf("BREACH: got launcher fd %d as %ld\n", fd, r);
            got++;
        }
    }
    if (!got)
        printf("refused: pidfd_getfd %s\n", strerrorname_np(errno));
    return 0;
}
