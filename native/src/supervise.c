/*
 * The supervisor's loop: keeps the tail of the program's stderr, answers
 * notifications, hears from the stdout thread (relay.h), and enforces the wall clock, CPU time (all threads, read
 * from the process CPU clock with nanosecond precision; RLIMIT_CPU is only a
 * backstop) and, when there is no cgroup of our own, memory. It sleeps until
 * the next moment a limit could be reached, so a CPU-bound program is not
 * disturbed; it never waits on the stdout consumer.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

#define RSS_POLL_NS (10 * 1000000ull)
/* A program that writes stderr a byte at a time would wake us for every
 * byte: after a small read its pipe is left alone for a moment. */
#define QUIET_NS (1000000ull)
#define SMALL_READ (16 * 1024)
/* Looks at the memory of a program that cannot be read, in a row, before
 * the run is stopped: a failed read never means "fine". */
#define MEM_FAILURES_MAX 3
/* Looks in a row that found no live thread (each one ending) while the
 * program has not ended: longer than any exit takes (a large address space
 * is freed in well under a second even on a busy machine). */
#define MEM_GONE_MAX 300

void sr_run_kill(struct sr_run *run, enum sr_kill_reason reason)
{
    if (run->facts.killed_for == KILL_NONE) {
        run->facts.killed_for = reason;
        run->facts.killed_at_ns = sr_now_ns();
    }
    if (syscall(SYS_pidfd_send_signal, run->child.pidfd, SIGKILL, NULL, 0) < 0 && errno == ENOSYS)
        kill(run->child.pid, SIGKILL);
}

/* CPU clocks are never served by the vDSO, and musl's first clock_gettime
 * looks the vDSO up at a cost of page faults (util.c): a system call. */
static uint64_t clock_ns(clockid_t clk)
{
    struct timespec ts;
    if (syscall(SYS_clock_gettime, clk, &ts) < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int sr_run_sample_memory(struct sr_run *run, struct sr_mem_sample *s)
{
    uint64_t budget = run->cfg->memory_bytes / SR_MAPPING_COST + 1;
    int rc = sr_memwatch_read(&run->mem, s, budget);
    if (rc != 0) return rc;
    if (s->hwm > run->facts.max_rss) run->facts.max_rss = s->hwm;
    uint64_t charged = s->rss + s->maps * SR_MAPPING_COST;
    if (charged > run->facts.charged_peak) run->facts.charged_peak = charged;
    return 0;
}

/* Without a cgroup of our own: memory (pages, page tables, mappings) and
 * the number of threads, read from /proc. */
static void watch_memory(struct sr_run *run)
{
    struct sr_mem_sample s;
    int rc = sr_run_sample_memory(run, &s);
    if (rc == 0) {
        run->mem_failures = run->mem_gone = 0;
        if (run->poll_rss && s.rss + s.maps * SR_MAPPING_COST > run->cfg->memory_bytes) sr_run_kill(run, KILL_MEMORY);
        else if (run->max_threads && s.threads > run->max_threads) sr_run_kill(run, KILL_THREADS);
        return;
    }
    if (rc > 0 ? ++run->mem_gone < MEM_GONE_MAX : ++run->mem_failures < MEM_FAILURES_MAX) return;
    sr_fmt(run->facts.why, sizeof run->facts.why, "the program's memory could not be read from /proc %s",
           rc > 0 ? "(no live thread of it could be found, yet it went on)" : "(reading its status failed)");
    sr_run_kill(run, KILL_UNWATCHABLE);
}

static int cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) < 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? n : 1;
}

/* The program is gone, so every writer is closed: read stderr to end of
 * file, and let the stdout thread pass the rest on (the consumer may take
 * its time: the verdict's clock has stopped). */
static void drain(struct sr_run *run)
{
    for (;;) {
        int open = sr_relay_stderr(&run->relay, run->stderr_r) > 0;
        if (!open) break;
        if (run->relay.last_read) continue;
        struct pollfd p = { run->stderr_r, POLLIN, 0 };
        if (poll(&p, 1, 100) == 0) break;     /* a writer that never closes: give up */
    }
    sr_relay_finish(&run->relay);
}

int sr_supervise(struct sr_run *run, int *status, struct rusage *ru)
{
    const sr_config *cfg = run->cfg;
    clockid_t clk;
    if (clock_getcpuclockid(run->child.pid, &clk) != 0) clk = (clockid_t)-1;
    const uint64_t cpu_limit = cfg->cpu_ms * 1000000ull;
    const uint64_t wall_deadline = run->child.exec_ns + cfg->wall_ms * 1000000ull;
    const int ncpu = cfg->profile == SR_PROFILE_THREADS ? cpus() : 1;
    int err_open = 1, exited = 0;
    uint64_t err_quiet = 0;                     /* leave the pipe alone until then */
    uint64_t next_look = 0;                     /* at memory, without a cgroup */
    /* What the supervisor spends on the program's notifications is the
     * program's doing: it counts against its CPU time (a program that
     * makes calls trap and fail in a loop would else burn a core that is
     * charged to no one). Each pass of the loop that took one is charged
     * whole, from the supervisor's own CPU clock. */
    uint64_t mark = 0;
    int took_notification = 0;

    while (!exited) {
        if (run->child.listener >= 0 || took_notification) {
            uint64_t spent = clock_ns(CLOCK_THREAD_CPUTIME_ID);
            if (took_notification) run->supervisor_ns += spent - mark;
            mark = spent;
            took_notification = 0;
        }
        struct pollfd p[5];
        int n = 0, i_relay, i_err = -1, i_pid, i_lis = -1, i_can = -1;
        uint64_t now = sr_now_ns();
        i_relay = n; p[n++] = (struct pollfd){ run->relay.event_fd, POLLIN, 0 };
        if (err_open && now >= err_quiet) { i_err = n; p[n++] = (struct pollfd){ run->stderr_r, POLLIN, 0 }; }
        i_pid = n; p[n++] = (struct pollfd){ run->child.pidfd, POLLIN, 0 };
        if (run->child.listener >= 0) { i_lis = n; p[n++] = (struct pollfd){ run->child.listener, POLLIN, 0 }; }
        if (cfg->cancel_fd >= 0) { i_can = n; p[n++] = (struct pollfd){ cfg->cancel_fd, POLLIN, 0 }; }

        /* Sleep until a limit could first be reached, or a quiet pipe is due. */
        uint64_t used = (clk != (clockid_t)-1 ? clock_ns(clk) : 0) + run->supervisor_ns;
        uint64_t wait_ns = wall_deadline > now ? wall_deadline - now : 0;
        uint64_t cpu_left = cpu_limit > used ? (cpu_limit - used) / (uint64_t)ncpu : 0;
        if (cpu_left < wait_ns) wait_ns = cpu_left;
        if ((run->poll_rss || run->max_threads) && wait_ns > RSS_POLL_NS) wait_ns = RSS_POLL_NS;
        if (err_open && err_quiet > now && err_quiet - now < wait_ns) wait_ns = err_quiet - now;
        if (run->facts.killed_for != KILL_NONE) wait_ns = 1000000000ull;   /* only waiting for the end */
        if (wait_ns < 200000) wait_ns = 200000;                            /* CPU clock granularity */
        struct timespec ts = { (time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull) };
        int rc = ppoll(p, (nfds_t)n, &ts, NULL);
        if (rc < 0 && errno != EINTR) { sr_run_kill(run, KILL_CANCELLED); break; }

        if (rc > 0) {
            if (p[i_relay].revents & POLLIN) {
                uint64_t v;                      /* taken, so it does not wake us again */
                if (read(run->relay.event_fd, &v, sizeof v) < 0) v = 0;
                if (atomic_load(&run->relay.over)) sr_run_kill(run, KILL_OUTPUT);
                else if (atomic_load(&run->relay.consumer_gone)) sr_run_kill(run, KILL_CONSUMER);
            }
            if (i_err >= 0 && (p[i_err].revents & (POLLIN | POLLHUP | POLLERR))) {
                err_open = sr_relay_stderr(&run->relay, run->stderr_r) > 0;
                if (run->relay.last_read < SMALL_READ) err_quiet = sr_now_ns() + QUIET_NS;
            }
            if (i_lis >= 0 && (p[i_lis].revents & POLLIN)) {
                sr_notify_handle(run);
                took_notification = 1;
            }
            if (i_lis >= 0 && (p[i_lis].revents & (POLLHUP | POLLERR)) && !(p[i_lis].revents & POLLIN)) {
                close(run->child.listener);      /* no filter users left */
                run->child.listener = -1;
            }
            if (i_can >= 0 && (p[i_can].revents & POLLIN)) sr_run_kill(run, KILL_CANCELLED);
            if (p[i_pid].revents & POLLIN) exited = 1;
        }
        if (exited || run->facts.killed_for != KILL_NONE) continue;
        now = sr_now_ns();
        if (now >= wall_deadline) sr_run_kill(run, KILL_WALL);
        else if (clk != (clockid_t)-1 && clock_ns(clk) + run->supervisor_ns >= cpu_limit) sr_run_kill(run, KILL_CPU);
        else if ((run->poll_rss || run->max_threads) && now >= next_look) {
            watch_memory(run);
            next_look = now + RSS_POLL_NS;
        }
    }
    uint64_t end = sr_now_ns();
    pid_t r;
    do r = wait4(run->child.pid, status, __WALL, ru); while (r < 0 && errno == EINTR);
    run->end_ns = run->facts.killed_for != KILL_NONE ? run->facts.killed_at_ns : end;
    drain(run);
    return r < 0 ? -1 : 0;
}
