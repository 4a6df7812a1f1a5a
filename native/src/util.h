/* Small helpers shared by the launcher's units. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* snprintf into a fixed buffer; always NUL-terminated; returns the buffer. */
char *sr_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Monotonic clock in nanoseconds. */
uint64_t sr_now_ns(void);

/* write() until done or a real error (EINTR retried). 0 on success. */
int sr_write_all(int fd, const void *buf, size_t len);

/* Reads a small file (cgroup or proc) whole into buf, NUL-terminated.
 * Bytes read, or -1 with errno: a read error, or EFBIG when the file does
 * not fit (never a silently cut file). */
ssize_t sr_read_small(const char *path, char *buf, size_t cap);
ssize_t sr_read_small_at(int dirfd, const char *name, char *buf, size_t cap);

/* Writes a short string to a file (cgroup knobs). 0 or -errno. */
int sr_write_file_at(int dirfd, const char *name, const char *value);

/* Finds "key N" on its own line (cgroup event files); -1 when absent. */
long long sr_keyed_value(const char *text, const char *key);

#endif
