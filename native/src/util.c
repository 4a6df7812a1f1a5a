#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

char *sr_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return buf;
}

/* A system call, not the vDSO: musl looks the vDSO up on a process's first
 * clock_gettime, which costs 20-170 us here (page faults on the vDSO), and
 * the launcher reads the clock only some ten times in a short run (~1 us
 * each as system calls). */
uint64_t sr_now_ns(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int sr_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t sr_read_small_at(int dirfd, const char *name, char *buf, size_t cap)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t total = 0;
    int err = 0;
    for (;;) {
        char extra;
        /* Once buf is full, one byte more tells a file that fits exactly
         * from one that does not. */
        ssize_t n = total < cap - 1 ? read(fd, buf + total, cap - 1 - total) : read(fd, &extra, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { err = errno; break; }
        if (n == 0) break;
        if (total == cap - 1) { err = EFBIG; break; }
        total += (size_t)n;
    }
    close(fd);
    buf[total] = '\0';
    if (err) { errno = err; return -1; }
    return (ssize_t)total;
}

ssize_t sr_read_small(const char *path, char *buf, size_t cap)
{
    return sr_read_small_at(AT_FDCWD, path, buf, cap);
}

int sr_write_file_at(int dirfd, const char *name, const char *value)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = sr_write_all(fd, value, strlen(value)) ? -errno : 0;
    close(fd);
    return rc;
}

long long sr_keyed_value(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line; ) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
            return strtoll(line + klen + 1, NULL, 10);
        line = strchr(line, '\n');
        if (line) line++;
    }
    return -1;
}
