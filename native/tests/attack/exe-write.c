/* Attack: change its own executable (a sealed memfd when the program came in
 * parts): read where /proc/self/exe points, open it read-only, then open it
 * read-write and write. The seals and mode 0555 refuse the write even where
 * a policy let the open through; under ours the read-write open is itself
 * a violation.
 * Must happen: SyscallViolation (open/openat); never "BREACH". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char l[256];
    ssize_t n = readlink("/proc/self/exe", l, sizeof l - 1);
    printf("readlink: %s\n", n < 0 ? strerrorname_np(errno) : "read");
    int fd = open("/proc/self/exe", O_RDONLY);
    printf("open read-only: %s\n", fd < 0 ? strerrorname_np(errno) : "opened");
    fflush(stdout);
    fd = open("/proc/self/exe", O_RDWR);
    if (fd >= 0 && write(fd, "X", 1) == 1) printf("BREACH: wrote to its own executable\n");
    else printf("refused: %s\n", strerrorname_np(errno));
    return 0;
}
