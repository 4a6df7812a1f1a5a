/* Attack: outlive the CPU limit by ignoring SIGXCPU (the soft RLIMIT_CPU
 * signal) and every other catchable signal, then spinning forever.
 * Must happen: CpuTimeLimitExceeded soon after --cpu-ms. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
    for (int s = 1; s < 65; s++)
        signal(s, SIG_IGN);
    volatile unsigned long x = 0;
    for (;;)
        x++;
}
