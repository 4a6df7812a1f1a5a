/* Attack: create a file for writing: open(argv[1], O_WRONLY|O_CREAT|O_TRUNC)
 * (glibc issues openat) in a world-writable folder, then write "BREACH".
 * Must happen: SyscallViolation, syscall "openat"; the file does not exist. */
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
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        printf("refused: openat %s\n", strerrorname_np(errno));
        return 0;
    }
    write(fd, "BREACH\n", 7);
    printf("BREACH: created %s\n", path);
    return 0;
}
