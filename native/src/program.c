#include "program.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandboxrun.h"
#include "util.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_ARCH "aarch64"
#else
#error "unsupported architecture"
#endif

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return "another architecture";
    }
}

int sr_check_elf(int fd, const struct stat *st, const char *label, char *msg, size_t msglen)
{
    Elf64_Ehdr eh;
    ssize_t n = pread(fd, &eh, sizeof eh, 0);
    if (n < (ssize_t)EI_NIDENT || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        sr_fmt(msg, msglen, "%s: not an ELF executable (a script or data cannot run; build a static binary)", label);
        return -1;
    }
    /* After the magic: chmod +x is no advice for a source file or a script. */
    if (!(st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
        sr_fmt(msg, msglen, "%s: not executable (mode %04o): chmod +x it", label, (unsigned)(st->st_mode & 07777));
        return -1;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || n < (ssize_t)sizeof eh) {
        unsigned m = n >= 20 ? ((unsigned char *)&eh)[18] | ((unsigned char *)&eh)[19] << 8 : 0;
        sr_fmt(msg, msglen, "%s: a 32-bit ELF for %s; this host runs 64-bit %s programs only",
               label, machine_name(m), HOST_ARCH);
        return -1;
    }
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != HOST_MACHINE) {
        sr_fmt(msg, msglen, "%s: built for %s; this host runs %s programs", label,
               machine_name(eh.e_machine), HOST_ARCH);
        return -1;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        sr_fmt(msg, msglen, "%s: an ELF file but not an executable (type %u)", label, eh.e_type);
        return -1;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 256) {
        sr_fmt(msg, msglen, "%s: malformed ELF program headers", label);
        return -1;
    }
    /* In small batches: a 14 KiB array would cost stack page faults. */
    Elf64_Phdr ph[16];
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        unsigned k = i % 16;
        if (k == 0) {
            unsigned batch = eh.e_phnum - i < 16 ? eh.e_phnum - i : 16;
            size_t want = batch * sizeof(Elf64_Phdr);
            if (pread(fd, ph, want, (off_t)(eh.e_phoff + (uint64_t)i * sizeof(Elf64_Phdr))) != (ssize_t)want) {
                sr_fmt(msg, msglen, "%s: truncated ELF program headers", label);
                return -1;
            }
        }
        if (ph[k].p_type == PT_INTERP) {
            sr_fmt(msg, msglen, "%s: dynamically linked (it needs a loader and shared libraries, "
                   "which the sandbox does not have): link it statically, e.g. gcc -static, "
                   "or rustc -C target-feature=+crt-static", label);
            return -1;
        }
    }
    if (eh.e_type == ET_DYN && eh.e_entry == 0) {
        sr_fmt(msg, msglen, "%s: a shared library, not an executable", label);
        return -1;
    }
    return 0;
}

static const char *file_kind(mode_t m)
{
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISLNK(m)) return "a symbolic link (not followed: give the file itself, e.g. a subPath mount)";
    return "of an unknown kind";
}

/* Reopens the checked file for reading, never blocking: through the O_PATH
 * descriptor's /proc/self/fd entry, or (no /proc) by its path again, flags
 * that cannot block or take a terminal, and the same file required. */
static int reopen(int path_fd, const struct stat *want, const char *path, int nofollow, const char *label,
                  char *msg, size_t msglen)
{
    char self[40];
    int fd = openat(AT_FDCWD, sr_fmt(self, sizeof self, "/proc/self/fd/%d", path_fd), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        sr_fmt(msg, msglen, "%s: cannot open: %s", label, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
        sr_fmt(msg, msglen, "%s: the file changed while it was being opened", label);
        close(fd);
        return -1;
    }
    return fd;
}

/* What the file is comes first, from a descriptor that opens nothing (a
 * FIFO would block an open for reading until a writer came; a device would
 * be opened with the launcher's rights): only a regular file is opened. */
int sr_open_regular(const char *path, int nofollow, const char *label, struct stat *st, char *msg, size_t msglen)
{
    /* openat, not open: musl follows an O_CLOEXEC open() with an fcntl (for
     * kernels before 2.6.23), one system call more on every run. */
    int path_fd = openat(AT_FDCWD, path, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (path_fd < 0) {
        int e = errno;
        if (e == ENOENT) sr_fmt(msg, msglen, "%s: no such file", label);
        else sr_fmt(msg, msglen, "%s: cannot open: %s", label, strerror(e));
        return -1;
    }
    int fd = -1;
    if (fstat(path_fd, st) < 0)
        sr_fmt(msg, msglen, "%s: cannot stat: %s", label, strerror(errno));
    else if (!S_ISREG(st->st_mode))
        sr_fmt(msg, msglen, "%s: not a regular file (%s)", label, file_kind(st->st_mode));
    else
        fd = reopen(path_fd, st, path, nofollow, label, msg, msglen);
    close(path_fd);
    return fd;
}

int sr_open_program(const char *path, char *msg, size_t msglen)
{
    char label[224];
    sr_fmt(label, sizeof label, "program %.200s", path);
    struct stat st;
    int fd = sr_open_regular(path, 0, label, &st, msg, msglen);
    if (fd >= 0 && sr_check_elf(fd, &st, label, msg, msglen) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int sr_check_program(const char *path, char *msg, size_t msglen)
{
    int fd = sr_open_program(path, msg, msglen);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}
