/* For --profile=strict (what seccomp mode 1 allows: read, write, exit,
 * exit_group, rt_sigreturn): freestanding, no libc, raw system calls only.
 * It writes "strict: " and then its stdin back, and leaves with exit(0).
 *
 * Build:
 *   gcc -O2 -nostdlib -static -fno-stack-protector -ffreestanding -fno-builtin \
 *       -fno-tree-loop-distribute-patterns -fno-pie -no-pie \
 *       -fcf-protection=none -fno-asynchronous-unwind-tables -o strict strict.c
 * (a static glibc program would be killed at its first brk or arch_prctl). */
#define SYS_read 0
#define SYS_write 1
#define SYS_exit 60

static long sys3(long n, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static void write_all(const char *p, long n)
{
    while (n > 0) {
        long w = sys3(SYS_write, 1, (long)p, n);
        if (w <= 0)
            return;
        p += w;
        n -= w;
    }
}

static char buf[4096];

__asm__(".text\n.globl _start\n_start:\n"
        "  and $-16, %rsp\n"
        "  call cstart\n"
        "  hlt\n");

__attribute__((used)) void cstart(void)
{
    long got = 0;
    while (got < (long)sizeof buf) {
        long n = sys3(SYS_read, 0, (long)(buf + got), (long)sizeof buf - got);
        if (n <= 0)
            break;
        got += n;
    }
    write_all("strict: ", 8);
    write_all(buf, got);
    for (;;)
        sys3(SYS_exit, 0, 0, 0);
}
