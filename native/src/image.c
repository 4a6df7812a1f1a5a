#include "image.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "memfd.h"
#include "program.h"
#include "sha256.h"
#include "util.h"

enum { READY = 0, UNUSABLE = 1, FAILED = 2 };

/* Reads of 64 KiB: on the caller's stack (a JVM thread's stack has room),
 * so no allocation and no fresh pages to fault in on every run. */
#define CHUNK (64 * 1024)

int sr_is_sha256_hex(const char *s)
{
    if (!s) return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return s[64] == '\0';
}

static int too_large(uint64_t total, const char *label, char *msg, size_t msglen)
{
    sr_fmt(msg, msglen, "%s: the program reaches %llu bytes, more than the %llu bytes (64 MiB) a program may have",
           label, (unsigned long long)total, (unsigned long long)SR_PROGRAM_MAX);
    return UNUSABLE;
}

/* Appends all of src (read from where it stands) to the memfd, hashing it;
 * *total counts what the program holds so far, never past SR_PROGRAM_MAX
 * (a file that grows while it is read is caught here, not by its stat). */
static int copy_in(int src, int mfd, sr_sha256 *h, uint64_t *total, const char *label, char *msg, size_t msglen)
{
    unsigned char buf[CHUNK];
    for (;;) {
        ssize_t n = read(src, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { sr_fmt(msg, msglen, "%s: cannot read: %s", label, strerror(errno)); return UNUSABLE; }
        if (n == 0) return READY;
        if (*total + (uint64_t)n > SR_PROGRAM_MAX) return too_large(*total + (uint64_t)n, label, msg, msglen);
        sr_sha256_update(h, buf, (size_t)n);
        if (sr_write_all(mfd, buf, (size_t)n) < 0) {
            sr_fmt(msg, msglen, "copying the program into memory: %s", strerror(errno));
            return FAILED;
        }
        *total += (uint64_t)n;
    }
}

/* The digest of what was copied, against the one expected (if any); then
 * the seals, then the ELF checks on the memfd itself: what is checked is
 * what runs. */
static int finish(struct sr_image *img, sr_sha256 *h, const char *expected, uint64_t total, const char *what,
                  char *msg, size_t msglen)
{
    unsigned char d[32];
    sr_sha256_final(h, d);
    sr_sha256_hex(d, img->sha256);
    if (expected && strcmp(expected, img->sha256) != 0) {
        sr_fmt(msg, msglen, "%s: SHA-256 mismatch: expected %s, got %s (%llu bytes); nothing was run",
               what, expected, img->sha256, (unsigned long long)total);
        img->sha256[0] = '\0';
        return UNUSABLE;
    }
    if (sr_memfd_seal(img->fd, msg, msglen) < 0) return FAILED;
    struct stat st;
    if (fstat(img->fd, &st) < 0) { sr_fmt(msg, msglen, "fstat of the program's memfd: %s", strerror(errno)); return FAILED; }
    if (sr_check_elf(img->fd, &st, what, msg, msglen) < 0) return UNUSABLE;
    img->in_memory = 1;
    return READY;
}

/* Parts: each a regular file (a symbolic link is followed to it, as a
 * ConfigMap volume's keys are links), read in order into one memfd. */
static int assemble_parts(const sr_config *cfg, struct sr_image *img, char *msg, size_t msglen)
{
    size_t count = 0;
    while (cfg->program_parts[count]) count++;
    if ((img->fd = sr_memfd_create(msg, msglen)) < 0) return FAILED;
    sr_sha256 h;
    sr_sha256_init(&h);
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        char label[256];
        sr_fmt(label, sizeof label, "program part %zu of %zu (%.200s)", i + 1, count, cfg->program_parts[i]);
        struct stat st;
        /* Symbolic links are followed, as for PROGRAM: a ConfigMap or Secret
         * volume shows each key as a link into its ..data folder, and the
         * paths come from whoever starts the launcher, not from the program
         * (which has not run yet); what is opened must still be a regular file. */
        int fd = sr_open_regular(cfg->program_parts[i], 0, label, &st, msg, msglen);
        if (fd < 0) return UNUSABLE;
        /* A sparse 1 TiB part is refused by its size before a byte is read. */
        int rc = total + (uint64_t)st.st_size > SR_PROGRAM_MAX
                 ? too_large(total + (uint64_t)st.st_size, label, msg, msglen)
                 : copy_in(fd, img->fd, &h, &total, label, msg, msglen);
        close(fd);
        if (rc != READY) return rc;
    }
    char what[64];
    sr_fmt(what, sizeof what, "program (%zu parts)", count);
    return finish(img, &h, cfg->program_sha256, total, what, msg, msglen);
}

/* Whether fd's file system forbids exec; unknown counts as forbidden (the
 * memfd runs either way). */
static int on_noexec_mount(int fd)
{
    struct statvfs sv;
    return fstatvfs(fd, &sv) < 0 || (sv.f_flag & ST_NOEXEC);
}

int sr_image_prepare(const sr_config *cfg, struct sr_image *img, char *msg, size_t msglen)
{
    img->fd = -1;
    img->in_memory = 0;
    img->sha256[0] = '\0';
    if (cfg->program_parts) return assemble_parts(cfg, img, msg, msglen);
    int src = sr_open_program(cfg->program, msg, msglen);
    if (src < 0) return UNUSABLE;
    if (!cfg->program_sha256 && !on_noexec_mount(src)) {
        img->fd = src;                /* runs in place: no copy, no digest */
        return READY;
    }
    char label[224];
    sr_fmt(label, sizeof label, "program %.200s", cfg->program);
    struct stat st;
    int rc = READY;
    uint64_t total = 0;
    sr_sha256 h;
    sr_sha256_init(&h);
    if (fstat(src, &st) < 0) { sr_fmt(msg, msglen, "%s: cannot stat: %s", label, strerror(errno)); rc = UNUSABLE; }
    else if ((uint64_t)st.st_size > SR_PROGRAM_MAX) rc = too_large((uint64_t)st.st_size, label, msg, msglen);
    else if ((img->fd = sr_memfd_create(msg, msglen)) < 0) rc = FAILED;
    else rc = copy_in(src, img->fd, &h, &total, label, msg, msglen);
    close(src);
    return rc == READY ? finish(img, &h, cfg->program_sha256, total, label, msg, msglen) : rc;
}
