/* Attack, meant for --profile=threads: spreads its CPU burn over 4 threads
 * (plus the main thread) so each thread stays under the limit; argv[1], if
 * given, is the number of burning threads in all (main thread included).
 * It blocks and ignores no signal.
 * Must happen: CpuTimeLimitExceeded, counted over all threads, soon after
 * --cpu-ms is used up (well before the wall clock limit); never Signaled
 * SIGXCPU (the RLIMIT_CPU backstop), however many threads burn. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *burn(void *arg)
{
    volatile unsigned long x = 0;
    for (;;)
        x++;
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 5;
    pthread_t t;
    for (int i = 0; i < threads - 1; i++)
        if (pthread_create(&t, NULL, burn, NULL) != 0) {
            printf("pthread_create failed\n");
            return 2;
        }
    burn(NULL);
    return 0;
}
