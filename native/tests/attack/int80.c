/* Attack: the 32-bit system call ABI (int 0x80) from a 64-bit program: write
 * (i386 number 4) of "BREACH" to stdout. i386 numbers differ from x86_64 ones,
 * so a filter that does not check the architecture would judge the wrong call.
 * Must happen: SyscallViolation (the call is killed); "BREACH" never appears. */
#include <stdio.h>

static const char msg[] = "BREACH: int 0x80 write\n";

int main(void)
{
    long ret;
    fflush(stdout);
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(4L), "b"(1L), "c"(msg), "d"((long)sizeof msg - 1)
                     : "memory", "r8", "r9", "r10", "r11");
    printf("refused: int 0x80 returned %ld\n", ret);
    return 0;
}
