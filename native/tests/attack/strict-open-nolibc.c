/* Attack, freestanding, for --profile=strict: after writing "strict
 * attack\n" (allowed), calls openat("/etc/passwd") with a raw syscall.
 * Under strict only read, write, exit, exit_group and rt_sigreturn exist.
 * Must happen: SyscallViolation, syscall "openat".
 * Built with gcc -nostdlib -static -fno-stack-protector -ffreestanding
 * (see tests/legit/strict-echo-nolibc.c). */
static long sys4(long n, long a, long b, long c, long d)
{
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}

__asm__(".text\n.globl _start\n_start:\n  and $-16, %rsp\n  call cstart\n  hlt\n");

__attribute__((used)) void cstart(void)
{
    sys4(1, 1, (long)"strict attack\n", 14, 0);
    long fd = sys4(257, -100, (long)"/etc/passwd", 0, 0);
    if (fd >= 0)
        sys4(1, 1, (long)"BREACH: opened /etc/passwd\n", 27, 0);
    else
        sys4(1, 1, (long)"refused: openat\n", 16, 0);
    for (;;)
        sys4(60, 0, 0, 0, 0);
}
