/* util.c: whole small files or a failure (never a cut one), keyed values. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/sr-util-test-XXXXXX";

static const char *file_of(size_t len)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/f", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (size_t i = 0; i < len; i++) if (write(fd, "x", 1) != 1) exit(2);
    close(fd);
    return p;
}

int main(void)
{
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    char buf[16];
    memset(buf, 'Z', sizeof buf);
    CHECK(sr_read_small(file_of(0), buf, sizeof buf) == 0 && buf[0] == '\0', "empty file");
    CHECK(sr_read_small(file_of(15), buf, sizeof buf) == 15 && buf[15] == '\0' && strlen(buf) == 15, "exactly fits");
    errno = 0;
    CHECK(sr_read_small(file_of(16), buf, sizeof buf) == -1 && errno == EFBIG, "one byte too many is EFBIG");
    CHECK(sr_read_small(file_of(5000), buf, sizeof buf) == -1 && errno == EFBIG, "far too long is EFBIG");
    errno = 0;
    CHECK(sr_read_small("/nonexistent/file", buf, sizeof buf) == -1 && errno == ENOENT, "missing is ENOENT");
    char status[65536];
    CHECK(sr_read_small("/proc/self/status", status, sizeof status) > 100 && strstr(status, "\nSigIgn:"), "/proc/self/status");
    unlink(file_of(0));

    CHECK(sr_keyed_value("low 0\nhigh 1\nmax 7\noom 2\noom_kill 3\n", "max") == 7, "max");
    CHECK(sr_keyed_value("low 0\nhigh 1\nmax 7\noom 2\noom_kill 3\n", "oom") == 2, "oom, not oom_kill");
    CHECK(sr_keyed_value("low 0\nhigh 1\nmax 7\noom 2\noom_kill 3\n", "oom_kill") == 3, "oom_kill");
    CHECK(sr_keyed_value("oom_kill_disable 0\nunder_oom 0\n", "oom_kill") == -1, "a longer key is not the key");
    CHECK(sr_keyed_value("", "max") == -1, "empty text");
    CHECK(sr_keyed_value("max 5", "max") == 5, "no final newline");

    CHECK(sr_write_file_at(AT_FDCWD, "/nonexistent/knob", "1") == -ENOENT, "writing a missing file: -ENOENT");
    char big[64];
    CHECK(strcmp(sr_fmt(big, 8, "%s", "truncated text"), "truncat") == 0, "sr_fmt truncates and terminates");
    rmdir(dir);
    return unit_done("util_test");
}
