/* One static program, many behaviours, for the operator's end-to-end tests of every verdict.
 * argv[1] picks what it does:
 *   binary        writes every byte value 0..255 (not UTF-8), then invalid UTF-8
 *   big N         writes N bytes of a deterministic pseudo-random stream (64 KiB writes)
 *   drip N MS [nl] the same N bytes (or N newlines), sleeping MS milliseconds after each 64 KiB write
 *   exit N        prints "exit N" and leaves with code N
 *   segv          dereferences a null pointer (SIGSEGV)
 *   spin          burns CPU forever
 *   sleep MS      sleeps MS milliseconds, then prints "slept"
 *   memory MIB    touches MIB MiB of heap, then prints "touched"
 *   socket        calls socket(2), which every profile denies
 *   threads N     starts N threads that each add to a sum, joins them, prints the sum
 *   newlines N MS writes N newline bytes (64 KiB writes), sleeps MS milliseconds, writes "end\n"
 *   chat N MS     prints "line I\n" for I in 0..N-1, then sleeps MS milliseconds, then prints "done"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void write_all(const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w <= 0)
            exit(9);
        p += w;
        n -= (size_t)w;
    }
}

static long sum;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *add(void *arg)
{
    long v = (long)arg;
    pthread_mutex_lock(&lock);
    sum += v;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(mode, "binary")) {
        unsigned char b[256 + 4];
        for (int i = 0; i < 256; i++)
            b[i] = (unsigned char)i;
        b[256] = 0xC3; b[257] = 0x28; b[258] = 0xFF; b[259] = 0x00;
        write_all(b, sizeof b);
        return 0;
    }
    if (!strcmp(mode, "big") || !strcmp(mode, "drip")) {
        static unsigned char buf[65536];
        unsigned long x = 88172645463325252UL;
        long ms = !strcmp(mode, "drip") && argc > 3 ? atol(argv[3]) : 0;
        int nl = !strcmp(mode, "drip") && argc > 4 && !strcmp(argv[4], "nl");
        struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
        while (n > 0) {
            size_t k = n < (long)sizeof buf ? (size_t)n : sizeof buf;
            for (size_t i = 0; i < k; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                buf[i] = nl ? '\n' : (unsigned char)x;
            }
            write_all(buf, k);
            n -= (long)k;
            if (ms)
                nanosleep(&pause, NULL);
        }
        return 0;
    }
    if (!strcmp(mode, "exit")) {
        printf("exit %ld\n", n);
        return (int)n;
    }
    if (!strcmp(mode, "segv")) {
        fflush(stdout);
        volatile int *p = NULL;
        return *p;
    }
    if (!strcmp(mode, "spin")) {
        volatile unsigned long i = 0;
        for (;;)
            i++;
    }
    if (!strcmp(mode, "sleep")) {
        struct timespec t = { n / 1000, (n % 1000) * 1000000L };
        nanosleep(&t, NULL);
        printf("slept\n");
        return 0;
    }
    if (!strcmp(mode, "memory")) {
        size_t size = (size_t)n << 20;
        volatile char *p = malloc(size);
        if (!p)
            return 4;
        for (size_t off = 0; off < size; off += 4096)
            p[off] = 1;
        printf("touched\n");
        return 0;
    }
    if (!strcmp(mode, "socket")) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        printf("socket returned %d\n", fd);
        return 0;
    }
    if (!strcmp(mode, "threads")) {
        pthread_t t[64];
        if (n > 64)
            n = 64;
        for (long i = 0; i < n; i++)
            if (pthread_create(&t[i], NULL, add, (void *)(i + 1)))
                return 5;
        for (long i = 0; i < n; i++)
            pthread_join(t[i], NULL);
        printf("sum %ld\n", sum);
        return 0;
    }
    if (!strcmp(mode, "newlines") || !strcmp(mode, "chat")) {
        long ms = argc > 3 ? atol(argv[3]) : 0;
        if (!strcmp(mode, "newlines")) {
            static unsigned char buf[65536];
            memset(buf, '\n', sizeof buf);
            while (n > 0) {
                size_t k = n < (long)sizeof buf ? (size_t)n : sizeof buf;
                write_all(buf, k);
                n -= (long)k;
            }
        } else {
            for (long i = 0; i < n; i++)
                printf("line %ld\n", i);
            fflush(stdout);
        }
        struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&t, NULL);
        if (!strcmp(mode, "newlines"))
            write_all((const unsigned char *)"end\n", 4);
        else
            printf("done\n");
        return 0;
    }
    fprintf(stderr, "unknown mode '%s'\n", mode);
    return 2;
}
