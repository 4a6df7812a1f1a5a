/* Attack: delete a world-writable file in a world-writable folder:
 * unlink(argv[1]). Must happen: killed (SyscallViolation "unlink") or refused
 * with an errno; the file still exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/tmp/sandboxrun-attack-file";
    fflush(stdout);
    if (unlink(path) != 0) {
        printf("refused: unlink %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("BREACH: removed %s\n", path);
    return 0;
}
