#include "relay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Below the allocator's mmap threshold (no map and unmap per run); a pipe
 * read rarely returns more anyway. */
#define RELAY_BUF (96 * 1024)

int sr_relay_init(struct sr_relay *r, uint64_t max, sr_stdout_fn fn, void *ctx)
{
    memset(r, 0, sizeof *r);
    sr_sha256_init(&r->sha);
    r->max = max;
    r->fn = fn;
    r->ctx = ctx;
    r->bufsz = RELAY_BUF;
    r->buf = malloc(r->bufsz);
    return r->buf ? 0 : -1;
}

void sr_relay_free(struct sr_relay *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* Up to max bytes are passed on and hashed; the first byte beyond ends the
 * run (the caller sees r->over). Later bytes are read and dropped so the
 * program never blocks on a full pipe while it is being killed. */
int sr_relay_stdout(struct sr_relay *r, int fd)
{
    r->last_read = 0;
    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n = read(fd, r->buf, r->bufsz);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
        if (n == 0) return 0;
        r->last_read += (size_t)n;
        if (r->over || r->consumer_gone) continue;
        size_t pass = (size_t)n;
        if (r->bytes + pass > r->max) {
            pass = (size_t)(r->max - r->bytes);
            r->over = 1;
        }
        if (pass) {
            sr_sha256_update(&r->sha, r->buf, pass);
            if (r->fn && r->fn(r->ctx, r->buf, pass) != 0) r->consumer_gone = 1;
            r->bytes += pass;
        }
        if ((size_t)n < r->bufsz) return 1;     /* pipe drained for now */
    }
    return 1;
}

int sr_relay_stderr(struct sr_relay *r, int fd)
{
    unsigned char buf[16384];
    r->last_read = 0;
    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
        if (n == 0) return 0;
        r->last_read += (size_t)n;
        size_t got = (size_t)n;
        const unsigned char *p = buf;
        if ((size_t)n > SR_STDERR_TAIL) { p += (size_t)n - SR_STDERR_TAIL; n = SR_STDERR_TAIL; }
        for (ssize_t i = 0; i < n; i++) {
            r->tail[r->tail_pos] = p[i];
            r->tail_pos = (r->tail_pos + 1) % SR_STDERR_TAIL;
        }
        r->tail_len += (size_t)n;
        if (r->tail_len > SR_STDERR_TAIL) r->tail_len = SR_STDERR_TAIL;
        if (got < sizeof buf) return 1;
    }
    return 1;
}

size_t sr_relay_tail(const struct sr_relay *r, unsigned char *out, size_t cap)
{
    size_t n = r->tail_len < cap ? r->tail_len : cap;
    size_t start = (r->tail_pos + SR_STDERR_TAIL - r->tail_len) % SR_STDERR_TAIL;
    start = (start + (r->tail_len - n)) % SR_STDERR_TAIL;
    for (size_t i = 0; i < n; i++) out[i] = r->tail[(start + i) % SR_STDERR_TAIL];
    return n;
}

void sr_relay_digest(struct sr_relay *r, char hex[65])
{
    unsigned char d[32];
    sr_sha256_final(&r->sha, d);
    sr_sha256_hex(d, hex);
}
