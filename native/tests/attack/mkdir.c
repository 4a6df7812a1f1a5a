/* Attack: change the file system without open: mkdir(argv[1]) in a
 * world-writable folder. Must happen: killed (SyscallViolation "mkdir") or
 * refused with an errno; the folder does not exist. */
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
    if (mkdir(path, 0777) != 0) {
        printf("refused: mkdir %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("BREACH: made %s\n", path);
    return 0;
}
