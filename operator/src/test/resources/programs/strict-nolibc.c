/* Well-behaved, freestanding, for --profile=strict: only read, write and
 * exit/exit_group, issued as raw `syscall` instructions (no libc at all, so
 * nothing runs before _start: no brk, arch_prctl, TLS set-up...).
 *
 * It writes "strict: " followed by its stdin (at most 4096 bytes), then
 * leaves with exit(0), or with exit_group(0) when argv[1] is "group".
 *
 * How to build a program like this one:
 *   gcc -O2 -nostdlib -static -fno-stack-protector -ffreestanding -fno-builtin \
 *       -fno-tree-loop-distribute-patterns -fno-pie -no-pie \
 *       -fcf-protection=none -fno-asynchronous-unwind-tables \
 *       -o strict-echo strict-echo-nolibc.c
 * -nostdlib -static: no libc, no dynamic loader; _start below is the entry.
 * -fno-stack-protector: the canary lives in TLS (%fs:0x28), never set up here.
 * -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns: gcc must not
 *   turn loops into memcpy/memset calls (there is no libc to provide them).
 */
#define SYS_read 0
#define SYS_write 1
#define SYS_exit 60
#define SYS_exit_group 231

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

/* The kernel starts us with %rsp -> argc, argv[0], ..., NULL, envp... */
__asm__(".text\n.globl _start\n_start:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call cstart\n"
        "  hlt\n");

__attribute__((used)) void cstart(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    long got = 0;
    while (got < (long)sizeof buf) {
        long n = sys3(SYS_read, 0, (long)(buf + got), (long)sizeof buf - got);
        if (n <= 0)
            break;
        got += n;
    }
    write_all("strict: ", 8);
    write_all(buf, got);
    int group = argc > 1 && argv[1][0] == 'g' && argv[1][1] == 'r';
    for (;;)
        sys3(group ? SYS_exit_group : SYS_exit, 0, 0, 0);
}
