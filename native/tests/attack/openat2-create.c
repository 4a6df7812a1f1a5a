/* Attack: create a file with openat2, whose flags live in a struct in memory
 * (a filter cannot read them, so it must refuse openat2 as a whole):
 * openat2(AT_FDCWD, argv[1], {O_WRONLY|O_CREAT, 0666}).
 * Must happen: killed (SyscallViolation "openat2") or refused with an errno
 * (prints "refused: ..."); either way the file does not exist. */
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
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_WRONLY | O_CREAT;
    how.mode = 0666;
    long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
    if (fd < 0) {
        printf("refused: openat2 %s\n", strerrorname_np(errno));
        return 0;
    }
    write((int)fd, "BREACH\n", 7);
    printf("BREACH: created %s\n", path);
    return 0;
}
