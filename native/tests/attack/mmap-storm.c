/* Attack: make the supervisor work for free. In a tight loop, asks for a
 * writable private mapping twice the size of all memory plus swap: the
 * memory prefix shows every such call to the supervisor, then the kernel
 * refuses it (ENOMEM). Never ends by itself.
 * Must happen, with --cpu-ms=1000: CpuTimeLimitExceeded, and the CPU the
 * launcher and the program use together stays near the limit (the
 * supervisor's own time is counted, or the storm is slowed down). */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

int main(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return 2;
    size_t len = ((size_t)si.totalram + si.totalswap) * si.mem_unit * 2;
    for (unsigned long i = 0;; i++) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            printf("BREACH: %zu bytes mapped\n", len);
            munmap(p, len);
            return 0;
        }
    }
}
