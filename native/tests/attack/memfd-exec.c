/* Attack: a second exec from memory: memfd_create, write a tiny ELF into it
 * (it would print "BREACH: memfd program ran" and exit 42), then
 * execveat(fd, "", AT_EMPTY_PATH) (what fexecve does).
 * Must happen: SyscallViolation, syscall "memfd_create" or "execveat"; the
 * embedded program never runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A 64-bit static ELF: one PT_LOAD at 0x10000, code at 0x10078:
 *   mov $1,%eax; mov $1,%edi; lea msg(%rip),%rsi; mov $26,%edx; syscall
 *   mov $60,%eax; mov $42,%edi; syscall; msg: "BREACH: memfd program ran\n" */
static unsigned char elf[] = {
    0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ident */
    2, 0, 0x3e, 0, 1, 0, 0, 0,                               /* ET_EXEC, x86-64, v1 */
    0x78, 0, 1, 0, 0, 0, 0, 0,                               /* entry 0x10078 */
    0x40, 0, 0, 0, 0, 0, 0, 0,                               /* phoff */
    0, 0, 0, 0, 0, 0, 0, 0,                                  /* shoff */
    0, 0, 0, 0, 0x40, 0, 0x38, 0, 1, 0, 0, 0, 0, 0, 0, 0,    /* flags, sizes, 1 phdr */
    /* phdr */
    1, 0, 0, 0, 5, 0, 0, 0,                                  /* PT_LOAD, R+X */
    0, 0, 0, 0, 0, 0, 0, 0,                                  /* offset 0 */
    0, 0, 1, 0, 0, 0, 0, 0,                                  /* vaddr 0x10000 */
    0, 0, 1, 0, 0, 0, 0, 0,                                  /* paddr */
    0xb6, 0, 0, 0, 0, 0, 0, 0,                               /* filesz */
    0xb6, 0, 0, 0, 0, 0, 0, 0,                               /* memsz */
    0, 0x10, 0, 0, 0, 0, 0, 0,                               /* align */
    /* code at 0x78 */
    0xb8, 1, 0, 0, 0,                   /* mov $1,%eax */
    0xbf, 1, 0, 0, 0,                   /* mov $1,%edi */
    0x48, 0x8d, 0x35, 0x13, 0, 0, 0,    /* lea 0x13(%rip),%rsi */
    0xba, 26, 0, 0, 0,                  /* mov $26,%edx */
    0x0f, 0x05,                         /* syscall */
    0xb8, 60, 0, 0, 0,                  /* mov $60,%eax */
    0xbf, 42, 0, 0, 0,                  /* mov $42,%edi */
    0x0f, 0x05,                         /* syscall */
    'B', 'R', 'E', 'A', 'C', 'H', ':', ' ', 'm', 'e', 'm', 'f', 'd', ' ',
    'p', 'r', 'o', 'g', 'r', 'a', 'm', ' ', 'r', 'a', 'n', '\n',
};

int main(void)
{
    fflush(stdout);
    int fd = memfd_create("payload", 0);
    if (fd < 0) {
        printf("refused: memfd_create %s\n", strerrorname_np(errno));
        return 0;
    }
    if (write(fd, elf, sizeof elf) != (ssize_t)sizeof elf) {
        printf("refused: write to memfd %s\n", strerrorname_np(errno));
        return 0;
    }
    char *argv[] = {"payload", NULL};
    char *envp[] = {NULL};
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    printf("refused: execveat %s\n", strerrorname_np(errno));
    return 0;
}
