/* SHA-256 (FIPS 180-4) with a SHA-NI fast path on x86-64 and a portable fallback. */
#ifndef SR_SHA256_H
#define SR_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint32_t h[8]; uint64_t total; uint8_t buf[64]; size_t buflen; } sr_sha256;

void sr_sha256_init(sr_sha256 *c);
void sr_sha256_update(sr_sha256 *c, const void *data, size_t n);
void sr_sha256_final(sr_sha256 *c, uint8_t out[32]);
void sr_sha256_hex(const uint8_t digest[32], char out[65]);   /* lowercase, NUL-terminated */

/* Test hooks. force_portable(1) makes every later block use the portable C code
 * (process-wide); force_portable(0) restores runtime selection. using_shani()
 * reports whether blocks currently go through the SHA-NI code. */
void sr_sha256_force_portable(int on);
int sr_sha256_using_shani(void);

#endif
