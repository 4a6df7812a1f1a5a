/* The program's output: stdout passed on with its count, cap and SHA-256;
 * stderr kept as its last SR_STDERR_TAIL bytes.
 *
 * Stdout reaches its consumer (the launcher's own stdout, a pod's log; a
 * JVM's callback) from a delivery thread of its own, never from the
 * supervisor: a consumer that stalls then only stalls the program (whose
 * pipe fills up), while the supervisor goes on enforcing every limit. */
#ifndef SR_RELAY_H
#define SR_RELAY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "sandboxrun.h"
#include "sha256.h"

struct sr_relay {
    sr_sha256 sha;
    uint64_t bytes, max;
    int over;                     /* a byte beyond max arrived */
    atomic_int consumer_gone;     /* the consumer refused (set by the delivery thread) */
    size_t last_read;             /* bytes the last sr_relay_* call read */
    sr_stdout_fn fn;
    void *ctx;
    unsigned char *buf;           /* stdout read from the pipe, then handed over */
    size_t bufsz;
    /* Hand-over to the delivery thread: the supervisor writes `pending` and
     * signals work_fd; the thread passes it on and signals done_fd. */
    int threaded;                 /* a delivery thread runs */
    pthread_t thread;
    int work_fd, done_fd;         /* eventfds */
    size_t pending;               /* bytes of buf with the thread; 0: buf is free */
    atomic_int quit;
    unsigned char tail[SR_STDERR_TAIL];   /* ring */
    size_t tail_len, tail_pos;
};

/* Allocates the buffer; no thread yet. -1 when out of memory. */
int sr_relay_init(struct sr_relay *r, uint64_t max, sr_stdout_fn fn, void *ctx);
/* Starts the delivery thread (when there is a consumer). 0, or -1 (errno). */
int sr_relay_start(struct sr_relay *r);
/* Stops and joins the thread (after what it holds was delivered); frees. */
void sr_relay_free(struct sr_relay *r);

/* Stdout can be read only while no chunk is with the delivery thread. */
static inline int sr_relay_busy(const struct sr_relay *r) { return r->pending != 0; }
/* The descriptor that becomes readable when the thread is done with a chunk. */
static inline int sr_relay_done_fd(const struct sr_relay *r) { return r->done_fd; }
/* Takes the thread's "done" (non-blocking when `wait` is 0). 1 when the
 * buffer is free again, 0 when still busy. */
int sr_relay_collect(struct sr_relay *r, int wait);

/* Reads one buffer's worth (non-blocking fd) and hands what passes the cap
 * to the consumer. Returns 1 if more may come, 0 at end of file, -1 on a
 * read error. Must not be called while busy. */
int sr_relay_stdout(struct sr_relay *r, int fd);
int sr_relay_stderr(struct sr_relay *r, int fd);

/* The tail, oldest byte first. */
size_t sr_relay_tail(const struct sr_relay *r, unsigned char *out, size_t cap);
void sr_relay_digest(struct sr_relay *r, char hex[65]);

#endif
