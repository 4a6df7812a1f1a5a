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

static int check(int fd, const char *path, char *msg, size_t msglen)
{
    struct stat st;
    if (fstat(fd, &st) < 0) { sr_fmt(msg, msglen, "program %.200s: cannot stat: %s", path, strerror(errno)); return -1; }
    if (!S_ISREG(st.st_mode)) { sr_fmt(msg, msglen, "program %.200s: not a regular file", path); return -1; }
    if (!(st.st_mode & S_IXOTH) && !(st.st_mode & (S_IXUSR | S_IXGRP))) {
        sr_fmt(msg, msglen, "program %.200s: not executable (mode %04o): chmod +x it", path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    Elf64_Ehdr eh;
    ssize_t n = pread(fd, &eh, sizeof eh, 0);
    if (n < (ssize_t)EI_NIDENT || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        sr_fmt(msg, msglen, "program %.200s: not an ELF executable (a script or data cannot run; build a static binary)", path);
        return -1;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || n < (ssize_t)sizeof eh) {
        unsigned m = n >= 20 ? ((unsigned char *)&eh)[18] | ((unsigned char *)&eh)[19] << 8 : 0;
        sr_fmt(msg, msglen, "program %.200s: a 32-bit ELF for %s; this host runs 64-bit %s programs only",
               path, machine_name(m), HOST_ARCH);
        return -1;
    }
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != HOST_MACHINE) {
        sr_fmt(msg, msglen, "program %.200s: built for %s; this host runs %s programs", path,
               machine_name(eh.e_machine), HOST_ARCH);
        return -1;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        sr_fmt(msg, msglen, "program %.200s: an ELF file but not an executable (type %u)", path, eh.e_type);
        return -1;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 256) {
        sr_fmt(msg, msglen, "program %.200s: malformed ELF program headers", path);
        return -1;
    }
    Elf64_Phdr ph[256];
    size_t want = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (pread(fd, ph, want, (off_t)eh.e_phoff) != (ssize_t)want) {
        sr_fmt(msg, msglen, "program %.200s: truncated ELF program headers", path);
        return -1;
    }
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP) {
            sr_fmt(msg, msglen, "program %.200s: dynamically linked (it needs a loader and shared libraries, "
                   "which the sandbox does not have): link it statically, e.g. gcc -static, "
                   "or rustc -C target-feature=+crt-static", path);
            return -1;
        }
    }
    if (eh.e_type == ET_DYN && eh.e_entry == 0) {
        sr_fmt(msg, msglen, "program %.200s: a shared library, not an executable", path);
        return -1;
    }
    return 0;
}

int sr_open_program(const char *path, char *msg, size_t msglen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) sr_fmt(msg, msglen, "program %.200s: no such file", path);
        else sr_fmt(msg, msglen, "program %.200s: cannot open: %s", path, strerror(e));
        return -1;
    }
    if (check(fd, path, msg, msglen) < 0) { close(fd); return -1; }
    return fd;
}

int sr_check_program(const char *path, char *msg, size_t msglen)
{
    int fd = sr_open_program(path, msg, msglen);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}
