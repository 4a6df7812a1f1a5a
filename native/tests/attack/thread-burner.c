/* Attack, meant for --profile=threads: spreads its CPU burn over 4 threads
 * (plus the main thread) so each thread stays under the limit.
 * Must happen: CpuTimeLimitExceeded, counted over all threads, soon after
 * --cpu-ms is used up (well before the wall clock limit). */
#include <pthread.h>
#include <stdio.h>

static void *burn(void *arg)
{
    volatile unsigned long x = 0;
    for (;;)
        x++;
    return NULL;
}

int main(void)
{
    pthread_t t;
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t, NULL, burn, NULL) != 0) {
            printf("pthread_create failed\n");
            return 2;
        }
    burn(NULL);
    return 0;
}
