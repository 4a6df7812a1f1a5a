/* Attack: modify_ldt: install a 32-bit code segment in the LDT (a way to
 * run 32-bit code, and a classic kernel attack surface).
 * Must happen: killed (SyscallViolation "modify_ldt") or refused with an
 * errno (ENOSYS on kernels without LDT support); never installed. */
#include <asm/ldt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = 0;
    d.base_addr = 0;
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.contents = 2; /* code */
    d.limit_in_pages = 1;
    d.useable = 1;
    fflush(stdout);
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0)
        printf("refused: modify_ldt %s\n", strerrorname_np(errno));
    else
        printf("BREACH: LDT entry installed\n");
    return 0;
}
