/* Attack, freestanding, for --profile=strict: a second exec through the
 * launch's own rule with an absolute path, execveat(100, "/abs/path", argv,
 * envp, AT_EMPTY_PATH). For an absolute path the kernel ignores the
 * descriptor (and never checks that 100 is open), so the filter must pin the
 * path pointer too, under strict as under the other profiles (found by the
 * red-team review; tests/attack/exec-absolute-path.c is the libc version for
 * compute and threads). Tries argv[0] (the staged program, an absolute path)
 * and then /proc/self/exe; run again, the program would write "BREACH".
 * Must happen: SyscallViolation, syscall "execveat"; no second run.
 * Built with gcc -nostdlib -static -fno-stack-protector -ffreestanding
 * (see tests/legit/strict-echo-nolibc.c). */
#define SYS_write 1
#define SYS_exit 60
#define SYS_execveat 322
#define AT_EMPTY_PATH 0x1000

static long sys5(long n, long a, long b, long c, long d, long e)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static void say(const char *s)
{
    long n = 0;
    while (s[n])
        n++;
    sys5(SYS_write, 1, (long)s, n, 0, 0);
}

/* The kernel's initial stack: argc, then argv[0..argc-1], NULL, envp... */
__asm__(".text\n.globl _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call cstart\n  hlt\n");

__attribute__((used, noreturn)) void cstart(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc > 1) {
        say("BREACH: executed a second time\n");
        for (;;)
            sys5(SYS_exit, 42, 0, 0, 0, 0);
    }
    const char *targets[] = { argv[0], "/proc/self/exe" };
    for (int i = 0; i < 2; i++) {
        char *args[] = { (char *)targets[i], "again", 0 };
        char *envp[] = { 0 };
        sys5(SYS_execveat, 100, (long)targets[i], (long)args, (long)envp, AT_EMPTY_PATH);
        say("refused: execveat(100, ");
        say(targets[i]);
        say(")\n");
    }
    for (;;)
        sys5(SYS_exit, 0, 0, 0, 0, 0);
}
