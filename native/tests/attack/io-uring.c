/* Attack: io_uring, whose submissions run file and socket operations the
 * filter never sees. Must happen: SyscallViolation, syscall "io_uring_setup". */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    fflush(stdout);
    long fd = syscall(SYS_io_uring_setup, 8, &p);
    if (fd < 0)
        printf("refused: io_uring_setup %s\n", strerrorname_np(errno));
    else
        printf("BREACH: io_uring fd %ld\n", fd);
    return 0;
}
