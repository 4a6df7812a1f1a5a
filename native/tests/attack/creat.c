/* Attack: create a file with the creat system call: creat(argv[1], 0666).
 * Must happen: SyscallViolation, syscall "creat"; the file does not exist. */
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
    long fd = syscall(SYS_creat, path, 0666);
    if (fd < 0) {
        printf("refused: creat %s\n", strerrorname_np(errno));
        return 0;
    }
    write((int)fd, "BREACH\n", 7);
    printf("BREACH: created %s\n", path);
    return 0;
}
