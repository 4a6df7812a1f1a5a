/* Attack: trace the launcher: ptrace(PTRACE_ATTACH, getppid()).
 * Must happen: SyscallViolation, syscall "ptrace"; the launcher reports. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    if (ptrace(PTRACE_ATTACH, getppid(), 0, 0) != 0)
        printf("refused: ptrace %s\n", strerrorname_np(errno));
    else
        printf("BREACH: attached to the launcher\n");
    return 0;
}
