/* Attack: a second exec through the launch's own rule with an absolute path:
 * execveat(100, "/abs/path", ..., AT_EMPTY_PATH). For an absolute path the
 * kernel ignores the descriptor (and never checks that 100 is open), so the
 * filter must pin the path pointer too (found by the red-team review).
 * Tries argv[0] (the staged program, an absolute path) and /proc/self/exe.
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
    const char *targets[] = { argv[0], "/proc/self/exe" };
    for (int i = 0; i < 2; i++) {
        char *args[] = { (char *)targets[i], "again", NULL };
        char *envp[] = { NULL };
        fflush(stdout);
        long rc = syscall(SYS_execveat, 100, targets[i], args, envp, AT_EMPTY_PATH);
        printf("refused: execveat(100, %s) = %ld (%s)\n", targets[i], rc, strerror(errno));
    }
    return 0;
}
