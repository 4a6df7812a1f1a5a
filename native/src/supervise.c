/*
 * The supervisor's loop: relays output, takes notifications, and enforces
 * the wall clock, CPU time (all threads, read from the process CPU clock
 * with nanosecond precision; RLIMIT_CPU is only a backstop) and, when there
 * is no cgroup of our own, resident memory. It sleeps until the next
 * moment a limit could be reached, so a CPU-bound program is not disturbed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

#define RSS_POLL_NS (10 * 1000000ull)
/* A program that writes a byte at a time would wake us for every byte.
 * After a small read, its pipe is left alone for a moment to fill up (it
 * holds 1 MiB, and a writer is only ever blocked by a full pipe); large reads
 * mean a fast writer, which is served at once. */
#define QUIET_NS (1000000ull)
#define SMALL_READ (64 * 1024)

void sr_run_kill(struct sr_run *run, enum sr_kill_reason reason)
{
    if (run->killed_for == KILL_NONE) {
        run->killed_for = reason;
        run->killed_at_ns = sr_now_ns();
    }
    if (syscall(SYS_pidfd_send_signal, run->child.pidfd, SIGKILL, NULL, 0) < 0 && errno == ENOSYS)
        kill(run->child.pid, SIGKILL);
}

static uint64_t cpu_ns(struct sr_run *run, clockid_t clk)
{
    struct timespec ts;
    if (clock_gettime(clk, &ts) < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* When the first thread has exited and others go on, its status shows no
 * memory: follow a live thread instead (they share the address space). */
static void follow_live_thread(struct sr_run *run)
{
    char path[64];
    DIR *d = opendir(sr_fmt(path, sizeof path, "/proc/%d/task", (int)run->child.pid));
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int tid = atoi(e->d_name);
        if (tid <= 0 || tid == run->following) continue;
        int fd = open(sr_fmt(path, sizeof path, "/proc/%d/task/%d/status", (int)run->child.pid, tid), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char buf[2048];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) { buf[n] = '\0'; }
        if (n > 0 && strstr(buf, "\nVmRSS:")) {
            close(run->status_fd);
            run->status_fd = fd;
            run->following = tid;
            break;
        }
        close(fd);
    }
    closedir(d);
}

int sr_read_memory(struct sr_run *run, uint64_t *vm, uint64_t *rss, int *threads)
{
    char buf[2048];
    *vm = *rss = 0;
    *threads = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (run->status_fd < 0) return -1;
        ssize_t n = pread(run->status_fd, buf, sizeof buf - 1, 0);
        if (n <= 0) return -1;
        buf[n] = '\0';
        if (strstr(buf, "\nVmRSS:") || run->cfg->profile != SR_PROFILE_THREADS) break;
        if (attempt == 0) follow_live_thread(run);
    }
    const char *p;
    if ((p = strstr(buf, "\nThreads:"))) *threads = atoi(p + 9);
    *vm = (p = strstr(buf, "\nVmSize:")) ? strtoull(p + 8, NULL, 10) * 1024 : 0;
    *rss = (p = strstr(buf, "\nVmRSS:")) ? strtoull(p + 7, NULL, 10) * 1024 : 0;
    /* Page tables are memory the program makes the kernel spend: counted
     * (a cgroup counts them too). */
    uint64_t pte = (p = strstr(buf, "\nVmPTE:")) ? strtoull(p + 7, NULL, 10) * 1024 : 0;
    *rss += pte;
    uint64_t hwm = (p = strstr(buf, "\nVmHWM:")) ? strtoull(p + 7, NULL, 10) * 1024 : 0;
    if (hwm > run->peak_rss) run->peak_rss = hwm;
    return 0;
}

static int cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) < 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? n : 1;
}

static void drain(struct sr_run *run)
{
    /* The program is gone, so every writer is closed: read to end of file
     * (the pipes stay non-blocking; EAGAIN cannot last, but wait if seen). */
    int out_open = 1, err_open = 1;
    while (out_open || err_open) {
        size_t got = 0;
        if (out_open) { out_open = sr_relay_stdout(&run->relay, run->stdout_r) > 0; got += run->relay.last_read; }
        if (err_open) { err_open = sr_relay_stderr(&run->relay, run->stderr_r) > 0; got += run->relay.last_read; }
        if ((out_open || err_open) && got == 0) {
            struct pollfd p[2] = { { out_open ? run->stdout_r : -1, POLLIN, 0 }, { err_open ? run->stderr_r : -1, POLLIN, 0 } };
            if (poll(p, 2, 100) == 0) break;     /* a writer that never closes: give up */
        }
    }
}

int sr_supervise(struct sr_run *run, int *status, struct rusage *ru, int cancel_fd)
{
    const sr_config *cfg = run->cfg;
    clockid_t clk;
    if (clock_getcpuclockid(run->child.pid, &clk) != 0) clk = (clockid_t)-1;
    const uint64_t cpu_limit = cfg->cpu_ms * 1000000ull;
    const uint64_t wall_deadline = run->child.exec_ns + cfg->wall_ms * 1000000ull;
    const int ncpu = cfg->profile == SR_PROFILE_THREADS ? cpus() : 1;
    int out_open = 1, err_open = 1, exited = 0;
    uint64_t out_quiet = 0, err_quiet = 0;      /* leave the pipe alone until then */

    while (!exited) {
        struct pollfd p[5];
        int n = 0, i_out = -1, i_err = -1, i_pid, i_lis = -1, i_can = -1;
        uint64_t now = sr_now_ns();
        if (out_open && now >= out_quiet) { i_out = n; p[n++] = (struct pollfd){ run->stdout_r, POLLIN, 0 }; }
        if (err_open && now >= err_quiet) { i_err = n; p[n++] = (struct pollfd){ run->stderr_r, POLLIN, 0 }; }
        i_pid = n; p[n++] = (struct pollfd){ run->child.pidfd, POLLIN, 0 };
        if (run->child.listener >= 0) { i_lis = n; p[n++] = (struct pollfd){ run->child.listener, POLLIN, 0 }; }
        if (cancel_fd >= 0) { i_can = n; p[n++] = (struct pollfd){ cancel_fd, POLLIN, 0 }; }

        /* Sleep until a limit could first be reached, or a quiet pipe is due. */
        uint64_t used = clk != (clockid_t)-1 ? cpu_ns(run, clk) : 0;
        uint64_t wait_ns = wall_deadline > now ? wall_deadline - now : 0;
        uint64_t cpu_left = cpu_limit > used ? (cpu_limit - used) / (uint64_t)ncpu : 0;
        if (cpu_left < wait_ns) wait_ns = cpu_left;
        if (run->poll_rss && wait_ns > RSS_POLL_NS) wait_ns = RSS_POLL_NS;
        if (out_open && out_quiet > now && out_quiet - now < wait_ns) wait_ns = out_quiet - now;
        if (err_open && err_quiet > now && err_quiet - now < wait_ns) wait_ns = err_quiet - now;
        if (run->killed_for != KILL_NONE) wait_ns = 1000000000ull;   /* only waiting for the end */
        if (wait_ns < 200000) wait_ns = 200000;                      /* CPU clock granularity */
        struct timespec ts = { (time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull) };
        int rc = ppoll(p, (nfds_t)n, &ts, NULL);
        if (rc < 0 && errno != EINTR) { sr_run_kill(run, KILL_CANCELLED); break; }

        if (rc > 0) {
            if (i_out >= 0 && (p[i_out].revents & (POLLIN | POLLHUP | POLLERR))) {
                out_open = sr_relay_stdout(&run->relay, run->stdout_r) > 0;
                if (run->relay.last_read < SMALL_READ) out_quiet = sr_now_ns() + QUIET_NS;
                if (run->relay.over) sr_run_kill(run, KILL_OUTPUT);
                if (run->relay.consumer_gone) sr_run_kill(run, KILL_CONSUMER);
            }
            if (i_err >= 0 && (p[i_err].revents & (POLLIN | POLLHUP | POLLERR)))
            {
                err_open = sr_relay_stderr(&run->relay, run->stderr_r) > 0;
                if (run->relay.last_read < SMALL_READ) err_quiet = sr_now_ns() + QUIET_NS;
            }
            if (i_lis >= 0 && (p[i_lis].revents & POLLIN)) sr_notify_handle(run);
            if (i_lis >= 0 && (p[i_lis].revents & (POLLHUP | POLLERR)) && !(p[i_lis].revents & POLLIN)) {
                close(run->child.listener);      /* no filter users left */
                run->child.listener = -1;
            }
            if (i_can >= 0 && (p[i_can].revents & POLLIN)) sr_run_kill(run, KILL_CANCELLED);
            if (p[i_pid].revents & POLLIN) exited = 1;
        }
        if (exited || run->killed_for != KILL_NONE) continue;
        now = sr_now_ns();
        if (now >= wall_deadline) sr_run_kill(run, KILL_WALL);
        else if (clk != (clockid_t)-1 && cpu_ns(run, clk) >= cpu_limit) sr_run_kill(run, KILL_CPU);
        else if (run->poll_rss) {
            uint64_t vm, rss;
            int threads;
            if (sr_read_memory(run, &vm, &rss, &threads) == 0) {
                if (rss > cfg->memory_bytes) sr_run_kill(run, KILL_MEMORY);
                else if (run->max_threads && threads > run->max_threads) sr_run_kill(run, KILL_THREADS);
            }
        }
    }
    run->end_ns = run->killed_for != KILL_NONE ? run->killed_at_ns : sr_now_ns();
    pid_t r;
    do r = wait4(run->child.pid, status, __WALL, ru); while (r < 0 && errno == EINTR);
    drain(run);
    return r < 0 ? -1 : 0;
}
