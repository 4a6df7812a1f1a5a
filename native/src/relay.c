#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The thread's buffer lives on its stack: no allocation per run. A pipe
 * read rarely returns more anyway. The stack is mapped, not touched, so
 * its size costs only address space: the consumer may be a JVM callback,
 * and a JVM refuses to attach a thread with a small stack (JNA then drops
 * the call). */
#define RELAY_BUF (64 * 1024)
#define RELAY_STACK (2u << 20)
/* A program that writes a byte at a time would wake the thread for every
 * byte. After a small read its pipe is left alone for a moment to fill up
 * (it holds 1 MiB, and a writer is only ever blocked by a full pipe); large
 * reads mean a fast writer, which is served at once. The program's end cuts
 * the pause short. */
#define QUIET_MS 1
#define SMALL_READ (32 * 1024)

static sr_idle_fn idle_fn;
static int idle_ms;

void sr_relay_on_idle(sr_idle_fn fn, int ms)
{
    idle_fn = fn;
    idle_ms = ms;
}

int sr_relay_init(struct sr_relay *r, uint64_t max, sr_stdout_fn fn, void *ctx)
{
    memset(r, 0, sizeof *r);
    sr_sha256_init(&r->sha);
    r->max = max;
    r->fn = fn;
    r->ctx = ctx;
    r->stdout_fd = -1;
    r->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    r->ended_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return r->event_fd >= 0 && r->ended_fd >= 0 ? 0 : -1;
}

static void tell_supervisor(struct sr_relay *r)
{
    uint64_t v = 1;
    while (write(r->event_fd, &v, sizeof v) < 0 && errno == EINTR) {}
}

/* Up to max bytes are passed on and hashed; the first byte beyond is
 * reported (the supervisor ends the run). Later bytes are read and dropped,
 * so the program never blocks on a full pipe while it is being killed. */
static void take(struct sr_relay *r, const unsigned char *buf, size_t n)
{
    if (atomic_load(&r->over) || atomic_load(&r->consumer_gone)) return;
    size_t pass = n;
    int over = 0;
    if (r->bytes + pass > r->max) { pass = (size_t)(r->max - r->bytes); over = 1; }
    if (pass) {
        sr_sha256_update(&r->sha, buf, pass);
        r->bytes += pass;
        if (r->fn && r->fn(r->ctx, buf, pass) != 0) {
            atomic_store(&r->consumer_gone, 1);
            tell_supervisor(r);
        }
    }
    if (over) {
        atomic_store(&r->over, 1);
        tell_supervisor(r);
    }
}

static void *relay_stdout(void *arg)
{
    struct sr_relay *r = arg;
    unsigned char buf[RELAY_BUF];
    int ended = 0;
    int idle_due = 0;      /* bytes came since the idle hook last ran */
    struct timespec due_since = { 0, 0 };   /* when the first of them came */
    for (;;) {
        if (idle_fn && idle_due) {
            /* Timed from the oldest byte not yet handed to the hook, not the newest: a
             * program that writes a byte every 0.9 s must not hold its output back for
             * ever (a launcher killed with it would have passed none of it on). */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long long left = idle_ms - ((now.tv_sec - due_since.tv_sec) * 1000LL
                                        + (now.tv_nsec - due_since.tv_nsec) / 1000000);
            int k = 0;
            if (left > 0) {
                struct pollfd q = { r->stdout_fd, POLLIN, 0 };
                k = poll(&q, 1, (int)left);
            }
            if (k == 0) {
                idle_due = 0;
                if (!atomic_load(&r->consumer_gone) && idle_fn(r->ctx) != 0) {
                    atomic_store(&r->consumer_gone, 1);
                    tell_supervisor(r);
                }
            }
        }
        ssize_t n = read(r->stdout_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;                     /* end of file: every writer is gone */
        take(r, buf, (size_t)n);
        if (!idle_due) {
            idle_due = 1;
            clock_gettime(CLOCK_MONOTONIC, &due_since);
        }
        if ((size_t)n < SMALL_READ && !ended) {
            struct pollfd p = { r->ended_fd, POLLIN, 0 };
            ended = poll(&p, 1, QUIET_MS) > 0;
        }
    }
    return NULL;
}

int sr_relay_start(struct sr_relay *r, int stdout_fd)
{
    r->stdout_fd = stdout_fd;
    pthread_attr_t attr;
    if ((errno = pthread_attr_init(&attr))) return -1;
    pthread_attr_setstacksize(&attr, RELAY_STACK);
    int e = pthread_create(&r->thread, &attr, relay_stdout, r);
    pthread_attr_destroy(&attr);
    if (e) { errno = e; return -1; }
    r->started = 1;
    return 0;
}

void sr_relay_finish(struct sr_relay *r)
{
    if (!r->started) return;
    uint64_t v = 1;
    while (write(r->ended_fd, &v, sizeof v) < 0 && errno == EINTR) {}
    pthread_join(r->thread, NULL);
    r->started = 0;
}

void sr_relay_free(struct sr_relay *r)
{
    sr_relay_finish(r);
    if (r->event_fd >= 0) close(r->event_fd);
    if (r->ended_fd >= 0) close(r->ended_fd);
    r->event_fd = r->ended_fd = -1;
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
