/* Attack: overwrite an existing world-writable file: open(argv[1], O_RDWR)
 * then write "BREACH". Must happen: SyscallViolation, syscall "openat";
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
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        printf("refused: openat %s\n", strerrorname_np(errno));
        return 0;
    }
    write(fd, "BREACH\n", 7);
    printf("BREACH: wrote %s\n", path);
    return 0;
}
