/*
 * Several threads of one process each write a program file and run it, as a
 * JVM running local runs side by side does. While one thread has its file
 * open for writing, another thread's launch child (cloned, not yet past its
 * close_range) holds a copy of that descriptor; the first thread's exec of
 * its file then fails with ETXTBSY. The library must ride that out (spawn.c);
 * every run here must complete.
 *
 * Linked against libsandboxrun.so with the system libc, as the CLI uses it.
 * usage: concurrent_spawn_test STATIC_HELLO [THREADS] [RUNS]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandboxrun.h"

static char *image;
static size_t image_len;
static char dir[] = "/tmp/sr-concurrent-XXXXXX";
static int runs = 50;

struct worker { int id; int failures; char first[600]; };

static int write_program(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0) return -1;
    for (size_t off = 0; off < image_len; ) {
        ssize_t n = write(fd, image + off, image_len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { close(fd); return -1; }
        off += (size_t)n;
    }
    return close(fd);
}

static int count_stdout(void *ctx, const void *data, size_t len)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    char path[64];
    snprintf(path, sizeof path, "%s/prog-%d", dir, w->id);
    for (int i = 0; i < runs; i++) {
        if (write_program(path) < 0) {
            if (!w->failures++) snprintf(w->first, sizeof w->first, "writing %s: %s", path, strerror(errno));
            continue;
        }
        const char *argv[] = { "hello", NULL };
        size_t out = 0;
        sr_config cfg;
        sr_config_defaults(&cfg);
        cfg.program = path;
        cfg.argv = argv;
        cfg.cpu_ms = 5000;
        cfg.wall_ms = 20000;
        cfg.on_stdout = count_stdout;
        cfg.on_stdout_ctx = &out;
        sr_result r;
        int rc = sr_run(&cfg, &r);
        if (rc != 0 || r.verdict != SR_COMPLETED || out == 0) {
            if (!w->failures++)
                snprintf(w->first, sizeof w->first, "run %d: rc %d, %s: %s (%zu bytes out)", i, rc,
                         sr_verdict_name(r.verdict), r.message, out);
        }
    }
    unlink(path);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: %s STATIC_HELLO [THREADS] [RUNS]\n", argv[0]); return 2; }
    int threads = argc > 2 ? atoi(argv[2]) : 8;
    if (argc > 3) runs = atoi(argv[3]);
    if (threads < 1 || threads > 64 || runs < 1) { fprintf(stderr, "bad THREADS or RUNS\n"); return 2; }
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) { perror(argv[1]); return 2; }
    image_len = (size_t)st.st_size;
    image = malloc(image_len);
    if (!image || read(fd, image, image_len) != (ssize_t)image_len) { perror("read"); return 2; }
    close(fd);
    if (!mkdtemp(dir) || chmod(dir, 0755) < 0) { perror("mkdtemp"); return 2; }

    pthread_t t[64];
    struct worker w[64];
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){ .id = i };
        if (pthread_create(&t[i], NULL, work, &w[i])) { fprintf(stderr, "pthread_create failed\n"); return 2; }
    }
    int failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failures) {
            failed += w[i].failures;
            fprintf(stderr, "thread %d: %d of %d runs failed; first: %s\n", i, w[i].failures, runs, w[i].first);
        }
    }
    rmdir(dir);
    if (failed) { fprintf(stderr, "FAIL: %d of %d runs failed\n", failed, threads * runs); return 1; }
    printf("ok: %d threads x %d runs completed\n", threads, runs);
    return 0;
}
