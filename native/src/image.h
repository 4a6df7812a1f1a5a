/*
 * The program image: what the child executes. A single PROGRAM on an
 * executable mount runs in place (its checked descriptor). Anything else —
 * parts to put together, a digest to check, a file on a noexec mount — is
 * copied into a memfd, hashed on the way, checked against the digest,
 * sealed, and that memfd is executed: the bytes hashed are the bytes run.
 */
#ifndef SR_IMAGE_H
#define SR_IMAGE_H
#include <stddef.h>
#include "sandboxrun.h"

struct sr_image {
    int fd;                      /* what execveat runs, O_CLOEXEC; -1 until made */
    int in_memory;               /* a sealed memfd */
    char sha256[65];             /* its digest when in_memory, else "" */
};

/* 0: img->fd is ready. 1: the program is unusable (missing, not a regular
 * file, not an ELF, too large, wrong digest; msg names the file or part).
 * 2: the launcher could not make the memfd (msg says why). Nothing of the
 * program has run in any case. */
int sr_image_prepare(const sr_config *cfg, struct sr_image *img, char *msg, size_t msglen);

/* Whether s is 64 lowercase hex digits. */
int sr_is_sha256_hex(const char *s);

#endif
