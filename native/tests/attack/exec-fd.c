/* Attack: a second exec through execveat, the call the launcher itself uses:
 * first on every descriptor 3..63 with AT_EMPTY_PATH (in case the launcher
 * left its program descriptor open), then on argv[0].
 * Must happen: SyscallViolation, syscall "execveat"; no second run ("BREACH"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
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
    for (int fd = 3; fd < 64; fd++)
        syscall(SYS_execveat, fd, "", args, envp, AT_EMPTY_PATH);
    syscall(SYS_execveat, AT_FDCWD, argv[0], args, envp, 0);
    printf("refused: execveat %s\n", strerrorname_np(errno));
    return 0;
}
