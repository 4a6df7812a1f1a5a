/* Attack, meant for --profile=threads: hide memory from the supervisor. The
 * main thread starts a worker and leaves with SYS_exit (not exit_group): the
 * process goes on, but /proc/PID/status of the first thread, a zombie now,
 * shows no memory at all. The worker maps argv[1] MiB (default 150), touches
 * every page, prints "touched", holds the memory 2 s and exits 0.
 * Must happen, with --memory=64M: MemoryLimitExceeded while it touches (no
 * "touched"), long before the 2 s hold would end (wallMs well under 2000). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long mib = 150;

static void *worker(void *arg)
{
    size_t size = (size_t)mib << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap of %ld MiB failed\n", mib);
        fflush(stdout);
        syscall(SYS_exit_group, 3);
    }
    for (size_t off = 0; off < size; off += 4096)
        p[off] = 1;
    printf("touched %ld MiB\n", mib);
    fflush(stdout);
    sleep(2);
    syscall(SYS_exit_group, 0);
    return arg;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        mib = atol(argv[1]);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        printf("pthread_create failed\n");
        return 2;
    }
    syscall(SYS_exit, 0); /* this thread only */
    return 0;
}
