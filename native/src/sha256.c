/* SHA-256 (FIPS 180-4).
 *
 * Two block functions share one state layout (h[0..7] = a..h):
 *   - blocks_portable: plain C, any architecture;
 *   - blocks_shani:    x86-64 SHA extensions, chosen at runtime when CPUID
 *                      reports SHA and SSE4.1 (and SSSE3 for pshufb).
 * The choice is made once and cached in a C11 atomic; concurrent first calls
 * may each run CPUID, but they all store the same value.
 * Whole blocks are hashed straight from the caller's buffer; only a partial
 * leading/trailing block goes through c->buf. */
#include "sha256.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ---------------------------------------------------------------- portable */

static inline uint32_t ror32(uint32_t x, unsigned r) { return (x >> r) | (x << (32 - r)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#define BSIG0(x) (ror32((x), 2) ^ ror32((x), 13) ^ ror32((x), 22))
#define BSIG1(x) (ror32((x), 6) ^ ror32((x), 11) ^ ror32((x), 25))
#define SSIG0(x) (ror32((x), 7) ^ ror32((x), 18) ^ ((x) >> 3))
#define SSIG1(x) (ror32((x), 17) ^ ror32((x), 19) ^ ((x) >> 10))
#define CH(x, y, z)  (((x) & ((y) ^ (z))) ^ (z))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* W is a 16-word ring; W(i) for i >= 16 is expanded in place. */
#define WEXP(i) (w[(i) & 15] += SSIG1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + SSIG0(w[((i) - 15) & 15]))

#define ROUND(a, b, c, d, e, f, g, h, i, wv) do {                  \
        uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + K[i] + (wv);  \
        uint32_t t2_ = BSIG0(a) + MAJ(a, b, c);                     \
        (d) += t1_;                                                 \
        (h) = t1_ + t2_;                                            \
    } while (0)

#define ROUNDS8(i, W) do {                                  \
        ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0)); \
        ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1)); \
        ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2)); \
        ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3)); \
        ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4)); \
        ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5)); \
        ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6)); \
        ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7)); \
    } while (0)

#define WLOAD(i) (w[i])

static void blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    uint32_t w[16];
    while (nblocks--) {
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(p + 4 * i);
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
        ROUNDS8(0, WLOAD);
        ROUNDS8(8, WLOAD);
        for (int i = 16; i < 64; i += 16) {
            ROUNDS8(i, WEXP);
            ROUNDS8(i + 8, WEXP);
        }
        st[0] += a; st[1] += b; st[2] += c; st[3] += d;
        st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        p += 64;
    }
}

/* ----------------------------------------------------------------- SHA-NI */

#if defined(__x86_64__)

/* Four rounds: add the round constants to the message words, then two
 * sha256rnds2 steps (the second uses the upper pair of message+K words). */
#define SHANI_4ROUNDS(m, k) do {                                            \
        __m128i mk_ = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)(K + (k)))); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, mk_);                      \
        mk_ = _mm_shuffle_epi32(mk_, 0x0E);                                 \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, mk_);                      \
    } while (0)

/* W[4g..4g+3] from the previous four groups (m0 oldest .. m3 newest). */
#define SHANI_SCHED(m0, m1, m2, m3) \
    _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), \
                                       _mm_alignr_epi8((m3), (m2), 4)), (m3))

__attribute__((target("sha,sse4.1")))
static void blocks_shani(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    /* st = a b c d | e f g h (lane 0 first) -> ABEF = [f e b a], CDGH = [h g d c]. */
    __m128i abcd = _mm_loadu_si128((const __m128i *)&st[0]);
    __m128i efgh = _mm_loadu_si128((const __m128i *)&st[4]);
    abcd = _mm_shuffle_epi32(abcd, 0xB1);                    /* b a d c */
    efgh = _mm_shuffle_epi32(efgh, 0x1B);                    /* h g f e */
    __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);           /* f e b a */
    __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);        /* h g d c */

    while (nblocks--) {
        const __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

        SHANI_4ROUNDS(m0, 0);
        SHANI_4ROUNDS(m1, 4);
        SHANI_4ROUNDS(m2, 8);
        SHANI_4ROUNDS(m3, 12);
#pragma GCC unroll 3
        for (int k = 16; k < 64; k += 16) {
            m0 = SHANI_SCHED(m0, m1, m2, m3); SHANI_4ROUNDS(m0, k);
            m1 = SHANI_SCHED(m1, m2, m3, m0); SHANI_4ROUNDS(m1, k + 4);
            m2 = SHANI_SCHED(m2, m3, m0, m1); SHANI_4ROUNDS(m2, k + 8);
            m3 = SHANI_SCHED(m3, m0, m1, m2); SHANI_4ROUNDS(m3, k + 12);
        }

        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
        p += 64;
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);            /* a b e f */
    __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xB1);            /* g h c d */
    _mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(feba, ghcd, 0xF0)); /* a b c d */
    _mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(ghcd, feba, 8));    /* e f g h */
}

static int cpu_has_shani(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (!(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1;                                    /* SHA */
}

#endif /* __x86_64__ */

/* --------------------------------------------------------------- dispatch */

enum { IMPL_UNKNOWN = 0, IMPL_PORTABLE = 1, IMPL_SHANI = 2 };

static _Atomic int detected_impl = IMPL_UNKNOWN;
static _Atomic int forced_portable = 0;

static int select_impl(void)
{
    if (atomic_load_explicit(&forced_portable, memory_order_relaxed))
        return IMPL_PORTABLE;
    int impl = atomic_load_explicit(&detected_impl, memory_order_relaxed);
    if (impl == IMPL_UNKNOWN) {
#if defined(__x86_64__)
        impl = cpu_has_shani() ? IMPL_SHANI : IMPL_PORTABLE;
#else
        impl = IMPL_PORTABLE;
#endif
        atomic_store_explicit(&detected_impl, impl, memory_order_relaxed);
    }
    return impl;
}

static void sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
#if defined(__x86_64__)
    if (select_impl() == IMPL_SHANI) {
        blocks_shani(st, p, nblocks);
        return;
    }
#endif
    blocks_portable(st, p, nblocks);
}

void sr_sha256_force_portable(int on)
{
    atomic_store_explicit(&forced_portable, on ? 1 : 0, memory_order_relaxed);
}

int sr_sha256_using_shani(void)
{
    return select_impl() == IMPL_SHANI;
}

/* --------------------------------------------------------------- public API */

void sr_sha256_init(sr_sha256 *c)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->buflen = 0;
}

void sr_sha256_update(sr_sha256 *c, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (n == 0)
        return;
    c->total += n;

    if (c->buflen) {
        size_t take = 64 - c->buflen;
        if (take > n)
            take = n;
        memcpy(c->buf + c->buflen, p, take);
        c->buflen += take;
        p += take;
        n -= take;
        if (c->buflen < 64)
            return;
        sha256_blocks(c->h, c->buf, 1);
        c->buflen = 0;
    }

    if (n >= 64) {
        size_t nb = n / 64;
        sha256_blocks(c->h, p, nb);
        p += nb * 64;
        n -= nb * 64;
    }

    if (n) {
        memcpy(c->buf, p, n);
        c->buflen = n;
    }
}

void sr_sha256_final(sr_sha256 *c, uint8_t out[32])
{
    uint64_t bits = c->total * 8;
    size_t len = c->buflen;

    c->buf[len++] = 0x80;
    if (len > 56) {
        memset(c->buf + len, 0, 64 - len);
        sha256_blocks(c->h, c->buf, 1);
        len = 0;
    }
    memset(c->buf + len, 0, 56 - len);
    store_be32(c->buf + 56, (uint32_t)(bits >> 32));
    store_be32(c->buf + 60, (uint32_t)bits);
    sha256_blocks(c->h, c->buf, 1);

    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, c->h[i]);
    memset(c, 0, sizeof *c);
}

void sr_sha256_hex(const uint8_t digest[32], char out[65])
{
    static const char hexd[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hexd[digest[i] >> 4];
        out[2 * i + 1] = hexd[digest[i] & 15];
    }
    out[64] = '\0';
}
