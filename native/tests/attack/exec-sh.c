/* Attack: a second exec. The program execve()s /bin/sh -c 'echo BREACH...'.
 * Must happen: the launcher's one exec was its own; this execve kills the
 * program (SyscallViolation, syscall "execve"); "BREACH" never reaches stdout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *argv[] = {"sh", "-c", "echo BREACH: a shell ran", NULL};
    char *envp[] = {NULL};
    printf("trying execve /bin/sh\n");
    fflush(stdout);
    execve("/bin/sh", argv, envp);
    printf("refused: execve %s\n", strerrorname_np(errno));
    return 0;
}
