/* CPU: spin for N ms of CPU time (argv[1]), measured on the process clock. */
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 200;
    struct timespec t;
    volatile unsigned long x = 0;
    for (;;) {
        for (int i = 0; i < 100000; i++) x++;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        if (t.tv_sec * 1000 + t.tv_nsec / 1000000 >= ms) return 0;
    }
}
