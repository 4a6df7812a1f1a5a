/* Attack: process creation with vfork (glibc's vfork issues the vfork
 * system call). Must happen: SyscallViolation, syscall "vfork"; no child
 * ("BREACH"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        static const char msg[] = "BREACH: vfork child\n";
        write(1, msg, sizeof msg - 1);
        _exit(42);
    }
    if (pid < 0)
        printf("refused: vfork %s\n", strerrorname_np(errno));
    else
        printf("BREACH: vforked %d\n", (int)pid);
    return 0;
}
