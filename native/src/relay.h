/* The program's output: stdout passed on with its count, cap and SHA-256;
 * stderr kept as its last SR_STDERR_TAIL bytes.
 *
 * Stdout is read from the program's pipe and passed to its consumer (the
 * launcher's own stdout, a pod's log; a JVM's callback) by a thread of its
 * own, never by the supervisor: a consumer that stalls only stalls the
 * program (whose pipe fills up), while the supervisor goes on enforcing
 * every limit. The thread tells the supervisor through an eventfd when
 * stdout passed its cap or the consumer refused. */
#ifndef SR_RELAY_H
#define SR_RELAY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "sandboxrun.h"
#include "sha256.h"

struct sr_relay {
    /* Owned by the stdout thread until sr_relay_finish returns. */
    sr_sha256 sha;
    uint64_t bytes, max;
    sr_stdout_fn fn;
    void *ctx;
    int stdout_fd;                /* the read end of the program's stdout (blocking) */
    /* Shared with the supervisor. */
    atomic_int over;              /* a byte beyond max arrived */
    atomic_int consumer_gone;     /* the consumer refused */
    int event_fd;                 /* readable: over or consumer_gone was set */
    int ended_fd;                 /* written by the supervisor once the program has ended */
    int started;
    pthread_t thread;
    /* stderr: read by the supervisor. */
    size_t last_read;             /* bytes the last sr_relay_stderr call read */
    unsigned char tail[SR_STDERR_TAIL];   /* ring */
    size_t tail_len, tail_pos;
};

/* The launcher's stdout frames (frames.h) hold a partial block until it
 * fills; this hook, when set, is called on the stdout thread once the
 * program's pipe has been quiet for ms milliseconds, or ms milliseconds after
 * the oldest byte it has not yet been called for (a program that trickles), to pass
 * the partial block on (a program killed later, with its launcher, by an
 * OOM kill, has then left what it wrote). It returns 0, or -1 when the
 * consumer refused (as the stdout function does). Process-wide: set by the
 * launcher's main before sr_run; the library never sets it. */
typedef int (*sr_idle_fn)(void *ctx);
void sr_relay_on_idle(sr_idle_fn fn, int ms);

/* Prepares the relay; nothing runs yet. -1 (errno) on failure. */
int sr_relay_init(struct sr_relay *r, uint64_t max, sr_stdout_fn fn, void *ctx);
/* Starts the stdout thread on fd (the pipe's read end). 0, or -1 (errno). */
int sr_relay_start(struct sr_relay *r, int stdout_fd);
/* The program has ended: the thread reads to end of file, passes it all on
 * (the consumer may take its time) and is joined. Safe to call twice. */
void sr_relay_finish(struct sr_relay *r);
/* Releases what init made (finishing first if needed). */
void sr_relay_free(struct sr_relay *r);

/* Reads stderr (non-blocking fd) into the tail. Returns 1 if more may come,
 * 0 at end of file, -1 on a read error. */
int sr_relay_stderr(struct sr_relay *r, int fd);

/* The tail, oldest byte first. */
size_t sr_relay_tail(const struct sr_relay *r, unsigned char *out, size_t cap);
/* After sr_relay_finish. */
void sr_relay_digest(struct sr_relay *r, char hex[65]);

#endif
