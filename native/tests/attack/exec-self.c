/* Attack: a second exec of the program itself (execve of argv[0], the path
 * the launcher executed). Must happen: SyscallViolation, syscall "execve";
 * the second incarnation (which prints "BREACH") never runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "again") == 0) {
        printf("BREACH: executed a second time\n");
        return 42;
    }
    char *args[] = {argv[0], "again", NULL};
    char *envp[] = {NULL};
    fflush(stdout);
    execve(argv[0], args, envp);
    printf("refused: execve %s\n", strerrorname_np(errno));
    return 0;
}
