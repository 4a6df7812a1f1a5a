/* A deep recursion, as contest code has: argv[1] levels (default 200000) of
 * a function with a 256-byte frame that uses its frame after the call (so
 * no compiler can make it a loop): about 51 MB of stack. Prints "depth N
 * sum S" and exits 0.
 * Must happen: the stack may grow to the memory limit whatever the caller's
 * `ulimit -s` was: Completed under --memory=256M; not Completed under 32M. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline, noipa)) static unsigned long down(long n)
{
    volatile unsigned char frame[240];
    frame[n % 240] = (unsigned char)n;
    if (n == 0)
        return frame[0];
    unsigned long below = down(n - 1);
    return below + frame[n % 240];
}

int main(int argc, char **argv)
{
    long depth = argc > 1 ? atol(argv[1]) : 200000;
    unsigned long sum = down(depth);
    printf("depth %ld sum %lu\n", depth, sum);
    return 0;
}
