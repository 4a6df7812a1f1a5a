/* Attack: truncate a world-writable file by name: truncate(argv[1], 0).
 * Must happen: killed (SyscallViolation "truncate") or refused with an errno;
 * the file keeps its content. */
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
    if (truncate(path, 0) != 0) {
        printf("refused: truncate %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("BREACH: truncated %s\n", path);
    return 0;
}
