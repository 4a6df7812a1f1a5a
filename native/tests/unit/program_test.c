/*
 * sr_open_program: what is refused before anything is opened for reading
 * (a FIFO must not block, a device must not be opened), and the messages a
 * person gets for files that are not programs.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"
#include "sandboxrun.h"
#include "unit.h"

static char dir[] = "/tmp/sr-program-test-XXXXXX";
static char msg[512];

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "FAIL: sr_open_program blocked\n";
    write(2, m, sizeof m - 1);
    _exit(1);
}

static const char *at(const char *name)
{
    static char p[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
    return p[i];
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) { perror(path); exit(2); }
    chmod(path, mode);
}

/* Refused with a message containing want (and, if given, not containing avoid). */
static void refused(const char *path, const char *want, const char *avoid)
{
    msg[0] = '\0';
    int fd = sr_open_program(path, msg, sizeof msg);
    CHECK(fd < 0, "%s: accepted", path);
    if (fd >= 0) close(fd);
    CHECK(strstr(msg, want) != NULL, "%s: message \"%s\" lacks \"%s\"", path, msg, want);
    if (avoid) CHECK(strstr(msg, avoid) == NULL, "%s: message \"%s\" has \"%s\"", path, msg, avoid);
}

int main(int argc, char **argv)
{
    (void)argc;
    signal(SIGALRM, on_alarm);
    alarm(10);
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }

    /* A FIFO: a plain open for reading would wait for a writer for ever. */
    if (mkfifo(at("fifo"), 0755) < 0) { perror("mkfifo"); return 2; }
    refused(at("fifo"), "not a regular file (a FIFO)", NULL);
    refused("/dev/null", "not a regular file (a character device)", NULL);
    refused(dir, "not a regular file (a directory)", NULL);
    refused(at("missing"), "no such file", NULL);

    /* Not ELF at all: no advice to chmod +x, whatever the mode. */
    static const char source[] = "#include <stdio.h>\nint main(void) { puts(\"hi\"); }\n";
    write_file(at("hello.c"), source, sizeof source - 1, 0644);
    refused(at("hello.c"), "not an ELF executable", "chmod");
    write_file(at("script"), "#!/bin/sh\necho hi\n", 18, 0755);
    refused(at("script"), "not an ELF executable", "chmod");
    write_file(at("empty"), "", 0, 0755);
    refused(at("empty"), "not an ELF executable", NULL);

    /* This test is a static ELF: as a program it passes, without x it is
     * "not executable". */
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (self < 0 || fstat(self, &st) < 0) { perror(argv[0]); return 2; }
    char *image = malloc((size_t)st.st_size);
    if (!image || read(self, image, (size_t)st.st_size) != st.st_size) { perror("read self"); return 2; }
    close(self);
    write_file(at("static"), image, (size_t)st.st_size, 0755);
    msg[0] = '\0';
    int fd = sr_open_program(at("static"), msg, sizeof msg);
    CHECK(fd >= 0, "a static ELF is refused: %s", msg);
    if (fd >= 0) {
        struct stat a, b;
        stat(at("static"), &a);
        CHECK(fstat(fd, &b) == 0 && a.st_ino == b.st_ino, "the descriptor is the file checked");
        CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "the descriptor is close-on-exec");
        CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "the descriptor is read-only");
        close(fd);
    }
    CHECK(sr_check_program(at("static"), msg, sizeof msg) == 0, "sr_check_program: %s", msg);
    write_file(at("static-noexec"), image, (size_t)st.st_size, 0644);
    refused(at("static-noexec"), "not executable (mode 0644): chmod +x", NULL);
    /* A truncated ELF header. */
    write_file(at("short-elf"), image, 40, 0755);
    refused(at("short-elf"), "ELF", NULL);
    /* Dynamically linked: the usual /bin/sh, when it is one. */
    if (access("/bin/sh", R_OK) == 0) {
        msg[0] = '\0';
        fd = sr_open_program("/bin/sh", msg, sizeof msg);
        if (fd >= 0) close(fd);
        CHECK(fd < 0 && (strstr(msg, "dynamically linked") || strstr(msg, "not an ELF")), "/bin/sh: %s", msg);
    }

    /* Program headers are read in batches: a PT_INTERP far down is still
     * found, and headers past the end of the file are "truncated". */
    {
        struct { Elf64_Ehdr eh; Elf64_Phdr ph[40]; } elf;
        memset(&elf, 0, sizeof elf);
        memcpy(elf.eh.e_ident, ELFMAG, SELFMAG);
        elf.eh.e_ident[EI_CLASS] = ELFCLASS64;
        elf.eh.e_ident[EI_DATA] = ELFDATA2LSB;
        elf.eh.e_type = ET_EXEC;
        elf.eh.e_machine = EM_X86_64;
        elf.eh.e_phoff = sizeof elf.eh;
        elf.eh.e_phentsize = sizeof(Elf64_Phdr);
        elf.eh.e_phnum = 40;
        for (int i = 0; i < 40; i++) elf.ph[i].p_type = PT_LOAD;
        elf.ph[37].p_type = PT_INTERP;
        write_file(at("interp-37"), &elf, sizeof elf, 0755);
        refused(at("interp-37"), "dynamically linked", NULL);
        elf.ph[37].p_type = PT_LOAD;
        write_file(at("interp-37"), &elf, sizeof elf, 0755);
        fd = sr_open_program(at("interp-37"), msg, sizeof msg);
        CHECK(fd >= 0, "40 program headers, none an interpreter: %s", msg);
        if (fd >= 0) close(fd);
        write_file(at("interp-37"), &elf, sizeof elf - 100, 0755);
        refused(at("interp-37"), "truncated ELF program headers", NULL);
        unlink(at("interp-37"));
    }

    const char *names[] = { "fifo", "hello.c", "script", "empty", "static", "static-noexec", "short-elf" };
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) unlink(at(names[i]));
    rmdir(dir);
    free(image);
    return unit_done("program_test");
}
