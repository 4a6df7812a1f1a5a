/* Attack: the launcher's environment (the test puts a secret in it). Prints
 * "environ entries: N" and every entry, then tries /proc/self/environ and the
 * launcher's /proc/<ppid>/environ and /proc/<ppid>/cmdline.
 * Must happen: the program's environment is empty (first line exactly
 * "environ entries: 0"); the secret reaches neither stdout nor stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void dump(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("refused: open %s %s\n", path, strerrorname_np(errno));
        return;
    }
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("read %s: ", path);
    fflush(stdout);
    if (n > 0)
        write(1, buf, (size_t)n);
    printf("\n");
    close(fd);
}

int main(void)
{
    int n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    printf("environ entries: %d\n", n);
    for (char **e = environ; e && *e; e++)
        printf("env: %s\n", *e);
    fflush(stdout);
    char path[64];
    dump("/proc/self/environ");
    snprintf(path, sizeof path, "/proc/%d/environ", (int)getppid());
    dump(path);
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getppid());
    dump(path);
    return 0;
}
