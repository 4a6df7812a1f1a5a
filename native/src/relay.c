#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
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
    r->work_fd = r->done_fd = -1;
    r->bufsz = RELAY_BUF;
    r->buf = malloc(r->bufsz);
    return r->buf ? 0 : -1;
}

/* The delivery thread: passes each chunk on, however long the consumer
 * takes, and says when the buffer is free again. */
static void *deliver(void *arg)
{
    struct sr_relay *r = arg;
    for (;;) {
        uint64_t v;
        ssize_t n = read(r->work_fd, &v, sizeof v);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof v || atomic_load(&r->quit)) break;
        atomic_thread_fence(memory_order_acquire);
        if (!atomic_load(&r->consumer_gone) && r->fn(r->ctx, r->buf, r->pending) != 0)
            atomic_store(&r->consumer_gone, 1);
        atomic_thread_fence(memory_order_release);
        v = 1;
        while (write(r->done_fd, &v, sizeof v) < 0 && errno == EINTR) {}
    }
    return NULL;
}

int sr_relay_start(struct sr_relay *r)
{
    if (!r->fn) return 0;                  /* nothing to deliver to: no thread */
    r->work_fd = eventfd(0, EFD_CLOEXEC);
    r->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->work_fd < 0 || r->done_fd < 0) return -1;
    int e = pthread_create(&r->thread, NULL, deliver, r);
    if (e) { errno = e; return -1; }
    r->threaded = 1;
    return 0;
}

int sr_relay_collect(struct sr_relay *r, int wait)
{
    if (!r->pending) return 1;
    for (;;) {
        uint64_t v;
        if (read(r->done_fd, &v, sizeof v) == (ssize_t)sizeof v) {
            atomic_thread_fence(memory_order_acquire);
            r->pending = 0;
            return 1;
        }
        if (errno != EAGAIN && errno != EINTR) return 0;
        if (!wait) return 0;
        struct pollfd p = { r->done_fd, POLLIN, 0 };
        poll(&p, 1, -1);
    }
}

void sr_relay_free(struct sr_relay *r)
{
    if (r->threaded) {
        sr_relay_collect(r, 1);
        atomic_store(&r->quit, 1);
        uint64_t v = 1;
        while (write(r->work_fd, &v, sizeof v) < 0 && errno == EINTR) {}
        pthread_join(r->thread, NULL);
        r->threaded = 0;
    }
    if (r->work_fd >= 0) close(r->work_fd);
    if (r->done_fd >= 0) close(r->done_fd);
    r->work_fd = r->done_fd = -1;
    free(r->buf);
    r->buf = NULL;
}

/* Hands len bytes of buf over: to the thread, or (no consumer) nowhere. */
static void hand_over(struct sr_relay *r, size_t len)
{
    if (!r->threaded) return;
    r->pending = len;
    atomic_thread_fence(memory_order_release);
    uint64_t v = 1;
    while (write(r->work_fd, &v, sizeof v) < 0 && errno == EINTR) {}
}

/* Up to max bytes are passed on and hashed; the first byte beyond ends the
 * run (the caller sees r->over). Later bytes are read and dropped so the
 * program never blocks on a full pipe while it is being killed. */
int sr_relay_stdout(struct sr_relay *r, int fd)
{
    r->last_read = 0;
    for (int rounds = 0; rounds < 16 && !r->pending; rounds++) {
        ssize_t n = read(fd, r->buf, r->bufsz);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
        if (n == 0) return 0;
        r->last_read += (size_t)n;
        if (r->over || atomic_load(&r->consumer_gone)) continue;
        size_t pass = (size_t)n;
        if (r->bytes + pass > r->max) {
            pass = (size_t)(r->max - r->bytes);
            r->over = 1;
        }
        if (pass) {
            sr_sha256_update(&r->sha, r->buf, pass);
            r->bytes += pass;
            hand_over(r, pass);
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
