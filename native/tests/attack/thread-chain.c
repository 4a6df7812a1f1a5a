/* Attack, meant for --profile=threads without a cgroup (the supervisor follows
 * memory through /proc): lose the supervisor's thread. The main thread starts
 * a thread and leaves with SYS_exit; each thread of a chain of argv[1]
 * (default 24) lives 30 ms, starts the next and exits, so whichever thread
 * the supervisor follows is soon gone. The last one then:
 *   touch MIB     maps and touches MIB MiB, prints "touched", holds it 2 s
 *   threads N     starts N threads that sleep, prints "created N", holds 1 s
 * and exits 0.
 * Must happen: a lost thread never means "fine". With --memory=64M, "touch
 * 600" is MemoryLimitExceeded; "threads 1000" is SyscallViolation "clone"
 * (the 256-thread cap). Neither prints its line. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long chain = 24;
static const char *what = "touch";
static long amount = 600;

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void *sleeper(void *arg)
{
    for (;;)
        pause();
    return arg;
}

static void start(void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &a, fn, arg);
    if (rc != 0) {
        printf("pthread_create failed: %s\n", strerror(rc));
        fflush(stdout);
        syscall(SYS_exit_group, 3);
    }
}

static void last(void)
{
    if (strcmp(what, "threads") == 0) {
        for (long i = 0; i < amount; i++)
            start(sleeper, NULL);
        printf("created %ld\n", amount);
        fflush(stdout);
        pause_ms(1000);
        syscall(SYS_exit_group, 0);
    }
    size_t size = (size_t)amount << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap of %ld MiB failed\n", amount);
        fflush(stdout);
        syscall(SYS_exit_group, 3);
    }
    for (size_t off = 0; off < size; off += 4096)
        p[off] = 1;
    printf("touched %ld MiB\n", amount);
    fflush(stdout);
    pause_ms(2000);
    syscall(SYS_exit_group, 0);
}

static void *link_of_chain(void *arg)
{
    long left = (long)arg;
    pause_ms(30);
    if (left == 0)
        last();
    start(link_of_chain, (void *)(left - 1));
    syscall(SYS_exit, 0); /* this thread only */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        chain = atol(argv[1]);
    if (argc > 2)
        what = argv[2];
    if (argc > 3)
        amount = atol(argv[3]);
    start(link_of_chain, (void *)chain);
    syscall(SYS_exit, 0); /* this thread only */
    return 0;
}
