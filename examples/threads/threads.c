/* For --profile=threads: 4 pthreads each sum a quarter of
 * 0..9,999,999; the main thread joins them. Expected stdout, exactly:
 *   thread 0: 3124998750000
 *   thread 1: 9374998750000
 *   thread 2: 15624998750000
 *   thread 3: 21874998750000
 *   total: 49999995000000
 * exit 0; verdict Completed under --profile=threads.
 * Build: gcc -static -O2 -pthread -o threads threads.c */
#include <pthread.h>
#include <stdio.h>

#define N 10000000ULL
#define T 4

static unsigned long long sums[T];

static void *work(void *arg)
{
    unsigned long k = (unsigned long)arg;
    unsigned long long s = 0;
    for (unsigned long long i = k * (N / T); i < (k + 1) * (N / T); i++)
        s += i;
    sums[k] = s;
    return NULL;
}

int main(void)
{
    pthread_t t[T];
    for (unsigned long k = 0; k < T; k++)
        if (pthread_create(&t[k], NULL, work, (void *)k) != 0) {
            printf("pthread_create failed\n");
            return 2;
        }
    unsigned long long total = 0;
    for (int k = 0; k < T; k++) {
        pthread_join(t[k], NULL);
        total += sums[k];
    }
    for (int k = 0; k < T; k++)
        printf("thread %d: %llu\n", k, sums[k]);
    printf("total: %llu\n", total);
    return 0;
}
