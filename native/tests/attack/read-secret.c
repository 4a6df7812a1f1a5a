/* Attack: read files: /etc/passwd, then every path in argv[1..] (the test
 * passes a world-readable secret file), by open+read, then by openat2, and
 * prints what it read. Must happen: nothing of those files reaches stdout or
 * stderr. Reading opens fail with an errno under compute (the program goes on
 * and completes) or are killed (SyscallViolation "openat"/"open"). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void dump(const char *how, const char *path, long fd)
{
    if (fd < 0) {
        printf("refused: %s %s %s\n", how, path, strerrorname_np(errno));
        return;
    }
    char buf[4096];
    ssize_t n = read((int)fd, buf, sizeof buf);
    printf("BREACH: %s %s: ", how, path);
    fflush(stdout);
    if (n > 0) {
        write(1, buf, (size_t)n);
        write(2, buf, (size_t)n);
    }
    printf("\n");
    close((int)fd);
}

int main(int argc, char **argv)
{
    const char *paths[16] = {"/etc/passwd"};
    int n = 1;
    for (int i = 1; i < argc && n < 16; i++)
        paths[n++] = argv[i];
    for (int i = 0; i < n; i++) {
        dump("open", paths[i], open(paths[i], O_RDONLY));
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY;
        dump("openat2", paths[i], syscall(SYS_openat2, AT_FDCWD, paths[i], &how, sizeof how));
    }
    return 0;
}
