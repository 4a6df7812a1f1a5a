/* The program's output: stdout passed on with its count, cap and SHA-256;
 * stderr kept as its last SR_STDERR_TAIL bytes. */
#ifndef SR_RELAY_H
#define SR_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include "sandboxrun.h"
#include "sha256.h"

struct sr_relay {
    sr_sha256 sha;
    uint64_t bytes, max;
    int over;                     /* a byte beyond max arrived */
    int consumer_gone;            /* the stdout callback refused */
    size_t last_read;             /* bytes the last sr_relay_* call read */
    sr_stdout_fn fn;
    void *ctx;
    unsigned char *buf;
    size_t bufsz;
    unsigned char tail[SR_STDERR_TAIL];   /* ring */
    size_t tail_len, tail_pos;
};

int sr_relay_init(struct sr_relay *r, uint64_t max, sr_stdout_fn fn, void *ctx);
void sr_relay_free(struct sr_relay *r);

/* Reads what is there (non-blocking fd). Returns 1 if more may come, 0 at
 * end of file, -1 on a read error. */
int sr_relay_stdout(struct sr_relay *r, int fd);
int sr_relay_stderr(struct sr_relay *r, int fd);

/* The tail, oldest byte first. */
size_t sr_relay_tail(const struct sr_relay *r, unsigned char *out, size_t cap);
void sr_relay_digest(struct sr_relay *r, char hex[65]);

#endif
