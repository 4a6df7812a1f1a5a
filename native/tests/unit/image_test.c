/*
 * Programs in parts, and with a digest, through sr_run (this test binary,
 * static musl, is the program): put together in order and run with the right
 * digest; refused, with nothing run, for a wrong digest, a corrupted, missing
 * or irregular part, too large a total, or a malformed request. And the memfd
 * that runs is sealed: no write, no resize, no mode change.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "sandboxrun.h"
#include "sha256.h"
#include "unit.h"
#include "util.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif

static char dir[] = "/tmp/sr-image-test-XXXXXX";
static char out[4096];
static size_t out_len;
static char digest[65];

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "FAIL: a part blocked the launcher\n";
    write(2, m, sizeof m - 1);
    _exit(1);
}

/* A path in the test's folder (kept: the part lists hold on to them). */
static const char *at(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return strdup(p);
}

static int collect(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    if (out_len + len < sizeof out) { memcpy(out + out_len, data, len); out_len += len; out[out_len] = '\0'; }
    return 0;
}

static int run(const char *program, const char *const *parts, const char *sha, sr_result *r)
{
    static const char *argv[] = { "image_test", "run", NULL };
    sr_config cfg;
    sr_config_defaults(&cfg);
    CHECK(cfg.program_parts == NULL && cfg.program_sha256 == NULL, "defaults: no parts, no digest");
    cfg.program = program;
    cfg.program_parts = parts;
    cfg.program_sha256 = sha;
    cfg.argv = argv;
    cfg.cpu_ms = 5000;
    cfg.on_stdout = collect;
    out_len = 0;
    out[0] = '\0';
    return sr_run(&cfg, r);
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) { perror(path); exit(2); }
}

/* Refused before anything ran, with a message holding want. */
static void refused(const char *program, const char *const *parts, const char *sha, int want_rc, const char *want)
{
    sr_result r;
    int rc = run(program, parts, sha, &r);
    CHECK(rc == want_rc, "%s: rc %d, want %d (%s)", want, rc, want_rc, r.message);
    CHECK(r.verdict == SR_LAUNCH_ERROR, "%s: verdict %d", want, r.verdict);
    CHECK(out_len == 0, "%s: the program ran: '%s'", want, out);
    CHECK(r.program_sha256[0] == '\0', "%s: a digest of what did not run: %s", want, r.program_sha256);
    CHECK(strstr(r.message, want) != NULL, "message \"%s\" lacks \"%s\"", r.message, want);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "run")) {
        printf("RAN from %s\n", argv[0]);
        return 0;
    }
    signal(SIGALRM, on_alarm);
    alarm(20);
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }

    /* This binary, in three parts. */
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    static unsigned char img[4 << 20];
    ssize_t n = read(self, img, sizeof img);
    close(self);
    CHECK(n > 3000 && n < (ssize_t)sizeof img, "read myself: %zd", n);
    size_t third = (size_t)n / 3;
    write_file(at("p0"), img, third);
    write_file(at("p1"), img + third, third);
    write_file(at("p2"), img + 2 * third, (size_t)n - 2 * third);
    write_file(at("whole"), img, (size_t)n);
    chmod(at("whole"), 0755);
    sr_sha256 h;
    unsigned char d[32];
    sr_sha256_init(&h);
    sr_sha256_update(&h, img, (size_t)n);
    sr_sha256_final(&h, d);
    sr_sha256_hex(d, digest);

    const char *three[] = { at("p0"), at("p1"), at("p2"), NULL };
    sr_result r;
    int rc = run(NULL, three, digest, &r);
    CHECK(rc == 0 && r.verdict == SR_COMPLETED, "three parts: rc %d verdict %d: %s", rc, r.verdict, r.message);
    CHECK_STR(out, "RAN from image_test\n");
    CHECK_STR(r.program_sha256, digest);
    char doc[SR_RESULT_MAX];
    sr_result_json(&r, doc, sizeof doc);
    char want[100];
    snprintf(want, sizeof want, "\"programSha256\":\"%s\"", digest);
    CHECK(strstr(doc, want) != NULL, "the document lacks %s: %s", want, doc);

    /* One PROGRAM with its digest runs from a memfd too; without, in place. */
    rc = run(at("whole"), NULL, digest, &r);
    CHECK(rc == 0 && r.verdict == SR_COMPLETED, "program + digest: rc %d: %s", rc, r.message);
    CHECK_STR(r.program_sha256, digest);
    rc = run(at("whole"), NULL, NULL, &r);
    CHECK(rc == 0 && r.verdict == SR_COMPLETED, "program alone: rc %d: %s", rc, r.message);
    CHECK_STR(r.program_sha256, "");
    sr_result_json(&r, doc, sizeof doc);
    CHECK(strstr(doc, "\"programSha256\":null") != NULL, "in place: programSha256 null: %s", doc);

    /* A wrong digest: its message names both; nothing runs. */
    char wrong[65];
    memcpy(wrong, digest, sizeof wrong);
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    refused(NULL, three, wrong, 1, "SHA-256 mismatch: expected ");
    refused(NULL, three, wrong, 1, digest);
    refused(at("whole"), NULL, wrong, 1, "program ");
    /* Parts in the wrong order, or a corrupted middle part. */
    const char *swapped[] = { at("p0"), at("p2"), at("p1"), NULL };
    refused(NULL, swapped, digest, 1, "mismatch");
    img[third + 100] ^= 0x55;
    write_file(at("p1bad"), img + third, third);
    img[third + 100] ^= 0x55;
    const char *corrupt[] = { at("p0"), at("p1bad"), at("p2"), NULL };
    refused(NULL, corrupt, digest, 1, "mismatch");

    /* Missing, a FIFO (never opened: it would block), a directory, a symlink. */
    const char *missing[] = { at("p0"), at("nope"), at("p2"), NULL };
    refused(NULL, missing, digest, 1, "program part 2 of 3 (");
    refused(NULL, missing, digest, 1, "nope): no such file");
    mkfifo(at("fifo"), 0644);
    const char *fifo[] = { at("p0"), at("p1"), at("fifo"), NULL };
    refused(NULL, fifo, digest, 1, "part 3 of 3");
    refused(NULL, fifo, digest, 1, "a FIFO");
    mkdir(at("dir"), 0755);
    const char *dirp[] = { at("dir"), at("p1"), at("p2"), NULL };
    refused(NULL, dirp, digest, 1, "part 1 of 3");
    refused(NULL, dirp, digest, 1, "a directory");
    /* Links are followed (ConfigMap volumes show keys as links), to a regular file only. */
    symlink(at("fifo"), at("link"));
    const char *link[] = { at("p0"), at("link"), at("p2"), NULL };
    refused(NULL, link, digest, 1, "a FIFO");
    if (geteuid() != 0) {
        chmod(at("p1bad"), 0);
        const char *unreadable[] = { at("p0"), at("p1bad"), NULL };
        refused(NULL, unreadable, digest, 1, "part 2 of 2");
    }

    /* Over 64 MiB in all: refused by size (a sparse file, nothing read). */
    int big = open(at("big"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(big >= 0 && ftruncate(big, (off_t)SR_PROGRAM_MAX) == 0, "sparse file");
    close(big);
    const char *over[] = { at("p0"), at("big"), NULL };
    refused(NULL, over, digest, 1, "more than the 67108864 bytes (64 MiB)");
    refused(NULL, over, digest, 1, "part 2 of 2");
    const char *exactly[] = { at("big"), NULL };
    refused(NULL, exactly, digest, 1, "mismatch");      /* 64 MiB itself is allowed (and read) */

    /* Malformed requests. */
    refused(at("whole"), three, digest, 1, "both");
    refused(NULL, three, NULL, 1, "need the SHA-256");
    const char *none[] = { NULL };
    refused(NULL, none, digest, 1, "empty");
    char upper[65];
    for (int i = 0; i < 65; i++) upper[i] = (char)(digest[i] >= 'a' ? digest[i] - 32 : digest[i]);
    refused(NULL, three, upper, 1, "64 lowercase hex");
    refused(NULL, three, "abc", 1, "64 lowercase hex");

    /* The memfd that runs: sealed, mode 0555, nothing can change it. */
    sr_config cfg;
    sr_config_defaults(&cfg);
    cfg.program_parts = three;
    cfg.program_sha256 = digest;
    struct sr_image im;
    char msg[512];
    CHECK(sr_image_prepare(&cfg, &im, msg, sizeof msg) == 0 && im.in_memory, "prepare: %s", msg);
    int seals = fcntl(im.fd, F_GET_SEALS);
    CHECK((seals & 0x2f) == 0x2f, "seals 0x%x: want SEAL, SHRINK, GROW, WRITE, EXEC", seals);
    struct stat st;
    CHECK(fstat(im.fd, &st) == 0 && (st.st_mode & 07777) == 0555, "mode %o", st.st_mode & 07777);
    CHECK(st.st_size == n, "size %lld, want %zd", (long long)st.st_size, n);
    CHECK(pwrite(im.fd, "x", 1, 0) < 0 && errno == EPERM, "pwrite: %s", strerror(errno));
    CHECK(ftruncate(im.fd, 10) < 0 && errno == EPERM, "ftruncate: %s", strerror(errno));
    /* F_SEAL_EXEC freezes the exec bits (the write bits stay the owner's,
     * root's: F_SEAL_WRITE refuses the writes themselves). */
    CHECK(fchmod(im.fd, 0444) < 0 && errno == EPERM, "fchmod: %s", strerror(errno));
    char self_fd[40];
    snprintf(self_fd, sizeof self_fd, "/proc/self/fd/%d", im.fd);
    int rw = open(self_fd, O_RDWR | O_CLOEXEC);      /* root may open it; writing still fails */
    CHECK(rw < 0 || (write(rw, "x", 1) < 0 && errno == EPERM), "write through /proc/self/fd: %s", strerror(errno));
    if (rw >= 0) close(rw);
    CHECK(fcntl(im.fd, F_GETFD) & FD_CLOEXEC, "the memfd is close-on-exec");
    close(im.fd);

    const char *names[] = { "p0", "p1", "p2", "whole", "p1bad", "fifo", "link", "big" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) unlink(at(names[i]));
    rmdir(at("dir"));
    rmdir(dir);
    return unit_done("image_test");
}
