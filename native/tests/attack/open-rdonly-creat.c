/* Attack: create a file while asking for read-only access:
 * openat(argv[1], O_RDONLY|O_CREAT). O_RDONLY is 0, so a filter that only
 * checks the access mode lets this create files.
 * Must happen: killed (SyscallViolation "openat") or refused with an errno;
 * either way the file does not exist. */
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
    int fd = openat(AT_FDCWD, path, O_RDONLY | O_CREAT, 0666);
    if (fd < 0) {
        printf("refused: openat %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("BREACH: created %s\n", path);
    return 0;
}
