/* Self-test for src/sha256.c: FIPS 180-2 vectors on both paths, SHA-NI vs
 * portable on random data fed in random-sized chunks, and throughput. */
#include "../../src/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)                       /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rnd() >> 56);
}

static void digest_oneshot(const void *p, size_t n, uint8_t out[32])
{
    sr_sha256 c;
    sr_sha256_init(&c);
    sr_sha256_update(&c, p, n);
    sr_sha256_final(&c, out);
}

/* Feeds p in random chunks: mostly 0..200 bytes, sometimes large ones.
 * If toggle, switches path before each update (the state is shared). */
static void digest_chunked(const uint8_t *p, size_t n, uint8_t out[32], int toggle)
{
    sr_sha256 c;
    sr_sha256_init(&c);
    size_t off = 0;
    int flip = 0;
    while (off < n) {
        size_t k = (rnd() % 8 == 0) ? (size_t)(rnd() % 20000) : (size_t)(rnd() % 201);
        if (k > n - off)
            k = n - off;
        if (toggle)
            sr_sha256_force_portable(flip ^= 1);
        sr_sha256_update(&c, p + off, k);
        off += k;
    }
    sr_sha256_final(&c, out);
}

struct vec { const char *msg; size_t repeat; const char *hex; };
static const struct vec vectors[] = {
    { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void run_vectors(const char *path)
{
    char what[128], hex[65];
    uint8_t d[32];
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        size_t len = strlen(vectors[v].msg);
        sr_sha256 c;
        /* whole message in one update (1M 'a' from a buffer) */
        if (vectors[v].repeat == 1) {
            digest_oneshot(vectors[v].msg, len, d);
        } else {
            size_t n = len * vectors[v].repeat;
            char *big = malloc(n);
            if (!big) { perror("malloc"); exit(2); }
            memset(big, vectors[v].msg[0], n);
            digest_oneshot(big, n, d);
            free(big);
        }
        sr_sha256_hex(d, hex);
        snprintf(what, sizeof what, "%s vector %zu (one update)", path, v);
        check(strcmp(hex, vectors[v].hex) == 0, what);

        /* repeated updates of the message (byte-at-a-time for 'a') */
        sr_sha256_init(&c);
        for (size_t r = 0; r < vectors[v].repeat; r++)
            sr_sha256_update(&c, vectors[v].msg, len);
        sr_sha256_final(&c, d);
        sr_sha256_hex(d, hex);
        snprintf(what, sizeof what, "%s vector %zu (repeated updates)", path, v);
        check(strcmp(hex, vectors[v].hex) == 0, what);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double throughput(const uint8_t *p, size_t n, uint8_t out[32])
{
    double t0 = now();
    digest_oneshot(p, n, out);
    double t = now() - t0;
    return (double)n / t / 1e9;
}

int main(void)
{
    char what[128];
    uint8_t d1[32], d2[32];

    sr_sha256_force_portable(0);
    int shani = sr_sha256_using_shani();
    printf("SHA-NI available: %s\n", shani ? "yes" : "no (fast path == portable)");

    /* FIPS 180-2 vectors on both paths */
    run_vectors(shani ? "shani" : "default");
    sr_sha256_force_portable(1);
    check(!sr_sha256_using_shani(), "force_portable(1) selects portable");
    run_vectors("portable");
    sr_sha256_force_portable(0);
    check(sr_sha256_using_shani() == shani, "force_portable(0) restores selection");

    /* every length 0..1100, one update, both paths */
    enum { SMALL = 1100 };
    uint8_t small[SMALL];
    fill_random(small, SMALL);
    for (size_t n = 0; n <= SMALL; n++) {
        sr_sha256_force_portable(1);
        digest_oneshot(small, n, d1);
        sr_sha256_force_portable(0);
        digest_oneshot(small, n, d2);
        snprintf(what, sizeof what, "length %zu: portable vs default", n);
        check(memcmp(d1, d2, 32) == 0, what);
    }

    /* random lengths, random chunking, both paths (and path switching mid-stream) */
    size_t maxlen = 3u << 20;
    uint8_t *buf = malloc(maxlen);
    if (!buf) { perror("malloc"); return 2; }
    fill_random(buf, maxlen);
    for (int it = 0; it < 400; it++) {
        size_t n = (it % 20 == 0) ? (size_t)(rnd() % maxlen) : (size_t)(rnd() % 5000);
        size_t start = (size_t)(rnd() % 64);       /* unaligned sources too */
        if (n > maxlen - start)
            n = maxlen - start;
        const uint8_t *p = buf + start;
        uint8_t ref[32], a[32], b[32], m[32];
        sr_sha256_force_portable(1);
        digest_oneshot(p, n, ref);
        digest_chunked(p, n, a, 0);
        sr_sha256_force_portable(0);
        digest_chunked(p, n, b, 0);
        digest_chunked(p, n, m, 1);
        sr_sha256_force_portable(0);
        snprintf(what, sizeof what, "random #%d len %zu: portable chunked", it, n);
        check(memcmp(ref, a, 32) == 0, what);
        snprintf(what, sizeof what, "random #%d len %zu: default chunked", it, n);
        check(memcmp(ref, b, 32) == 0, what);
        snprintf(what, sizeof what, "random #%d len %zu: alternating paths", it, n);
        check(memcmp(ref, m, 32) == 0, what);
    }
    free(buf);

    /* throughput on 256 MiB */
    size_t big = (size_t)256 << 20;
    uint8_t *data = malloc(big);
    if (!data) { perror("malloc"); return 2; }
    for (size_t i = 0; i < big; i += 8) {
        uint64_t r = rnd();
        memcpy(data + i, &r, 8);
    }
    sr_sha256_force_portable(0);
    digest_oneshot(data, 1 << 20, d1);             /* warm up */
    double gf = throughput(data, big, d1);
    sr_sha256_force_portable(1);
    double gp = throughput(data, big, d2);
    sr_sha256_force_portable(0);
    check(memcmp(d1, d2, 32) == 0, "256 MiB: portable vs default");
    printf("throughput 256 MiB: %s %.2f GB/s, portable %.2f GB/s\n",
           shani ? "sha-ni" : "default", gf, gp);
    free(data);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
