/* Attack: read the launcher's memory with process_vm_readv(getppid()) (it
 * is static and non-PIE like us, so 0x400000 is mapped in it).
 * Must happen: killed (SyscallViolation "process_vm_readv") or refused with
 * an errno; no bytes of the launcher are read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    char buf[64];
    struct iovec local = {buf, sizeof buf};
    struct iovec remote = {(void *)0x400000, sizeof buf};
    fflush(stdout);
    ssize_t n = process_vm_readv(getppid(), &local, 1, &remote, 1, 0);
    if (n < 0)
        printf("refused: process_vm_readv %s\n", strerrorname_np(errno));
    else
        printf("BREACH: read %zd bytes of the launcher\n", n);
    return 0;
}
