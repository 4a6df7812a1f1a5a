/* Attack: a raw `syscall` instruction from freshly written code in an RWX
 * mapping, outside any libc wrapper: execve("/bin/sh", ...). Seccomp filters
 * apply wherever the instruction is. Must happen: the RWX mapping is refused
 * (errno: prints "refused: ..."; or the mmap is killed) or the execve is
 * killed (SyscallViolation "execve"); "BREACH" never appears. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void)
{
    /* mov $59, %eax ; syscall ; ret  (rdi, rsi, rdx already hold the args) */
    static const unsigned char code[] = {0xb8, 0x3b, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3};
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        printf("refused: mmap RWX %s\n", strerrorname_np(errno));
        return 0;
    }
    memcpy(page, code, sizeof code);
    char *argv[] = {"sh", "-c", "echo BREACH: shell from RWX code", NULL};
    char *envp[] = {NULL};
    fflush(stdout);
    long r = ((long (*)(const char *, char **, char **))page)("/bin/sh", argv, envp);
    printf("refused: raw execve returned %ld\n", r);
    return 0;
}
