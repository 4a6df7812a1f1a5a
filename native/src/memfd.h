/*
 * A program held in memory: a memfd the launcher fills, seals and executes
 * (programs delivered in parts, checked against a digest, or sitting on a
 * noexec mount). Only the launcher makes these calls, before any filter; the
 * program's own policy gains nothing (memfd_create stays a violation).
 */
#ifndef SR_MEMFD_H
#define SR_MEMFD_H
#include <stddef.h>

/* An empty, sealable, executable memfd (O_CLOEXEC). -1 with msg when none
 * can be made; vm.memfd_noexec=2 (executable memfds forbidden) says so. */
int sr_memfd_create(char *msg, size_t msglen);

/* Makes the filled memfd read-and-execute only (mode 0555) and seals it:
 * no write, no resize, no mode change, no further seal. 0, or -1 with msg. */
int sr_memfd_seal(int fd, char *msg, size_t msglen);

#endif
