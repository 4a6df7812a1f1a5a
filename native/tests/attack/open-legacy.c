/* Attack: create a file with the legacy open system call (not openat):
 * open(argv[1], O_WRONLY|O_CREAT). A filter that inspects only openat misses it.
 * Must happen: SyscallViolation, syscall "open"; the file does not exist. */
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
    long fd = syscall(SYS_open, path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
        printf("refused: open %s\n", strerrorname_np(errno));
        return 0;
    }
    write((int)fd, "BREACH\n", 7);
    printf("BREACH: created %s\n", path);
    return 0;
}
