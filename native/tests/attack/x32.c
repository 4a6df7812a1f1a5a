/* Attack: the x32 ABI: a system call number with bit 30 set (0x40000000 |
 * write). A filter that compares numbers without masking this bit can be
 * bypassed on kernels with x32 enabled. Must happen: SyscallViolation (the
 * filter checks the x32 bit and kills); "BREACH" never appears. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char msg[] = "BREACH: x32 write\n";

int main(void)
{
    fflush(stdout);
    long r = syscall(0x40000000L | SYS_write, 1, msg, sizeof msg - 1);
    if (r < 0)
        printf("refused: x32 write %s\n", strerrorname_np(errno));
    return 0;
}
