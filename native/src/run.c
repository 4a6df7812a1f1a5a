/*
 * sr_run: one run from start to verdict. Read it as isolate's box_inside():
 * a table of contents of steps, each of which either succeeds or says why
 * the run cannot go on (sr_launch_error). The steps: check the request,
 * open the program and its stdin, set up the limits (a cgroup of our own,
 * or the supervisor's watch), the pipes, start the program, watch its
 * memory, supervise it, and decide the verdict; then clean up, so that
 * nothing of the run survives it.
 *
 * Return convention of every step and of sr_run: 0 go on (a verdict was
 * reached); 1 the request or the program is unusable (nothing ran);
 * 2 the launcher itself failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "image.h"
#include "policy_rules.h"
#include "result.h"
#include "run.h"
#include "util.h"

/* Where no cgroup caps threads: a per-user backstop (all runs share uid
 * 65534), far above one run's cap, which the supervisor enforces itself. */
#define THREADS_NPROC_BACKSTOP 4096

enum { GO_ON = 0, UNUSABLE = 1, FAILED = 2 };

void sr_config_defaults(sr_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->profile = SR_PROFILE_COMPUTE;
    cfg->cpu_ms = 10000;
    cfg->wall_ms = 2 * cfg->cpu_ms + 1000;
    cfg->memory_bytes = 256ull << 20;
    cfg->stdout_max = 1ull << 20;
    cfg->sandbox_uid = 65534;
    cfg->sandbox_gid = 65534;
    cfg->cancel_fd = -1;
}

/* Everything a run holds, so that one cleanup can release it. */
struct held { int prog_fd, stdin_fd, out_p[2], err_p[2], reaped; struct sr_image image; };

static void init(struct sr_run *run, struct held *h, const sr_config *cfg, sr_result *out)
{
    memset(out, 0, sizeof *out);
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->stdout_r = run->stderr_r = -1;
    run->child.pid = -1;
    run->child.pidfd = run->child.listener = -1;
    run->mem.status_fd = run->mem.maps_fd = -1;
    run->relay.event_fd = run->relay.ended_fd = -1;
    sr_cgroup_init(&run->cg);
    *h = (struct held){ -1, -1, { -1, -1 }, { -1, -1 }, 0, { -1, 0, "" } };
    /* Until something is read, stdout is empty: its digest says so. */
    sr_sha256 s;
    unsigned char d[32];
    sr_sha256_init(&s);
    sr_sha256_final(&s, d);
    sr_sha256_hex(d, out->stdout_sha256);
}

static int check_request(const sr_config *cfg, sr_result *out)
{
    if ((!cfg->program && !cfg->program_parts) || !cfg->argv || !cfg->argv[0]) {
        sr_launch_error(out, "no program given");
        return UNUSABLE;
    }
    if (cfg->program && cfg->program_parts) {
        sr_launch_error(out, "a program and program parts were both given: give one or the other");
        return UNUSABLE;
    }
    if (cfg->program_parts && !cfg->program_parts[0]) {
        sr_launch_error(out, "the list of program parts is empty");
        return UNUSABLE;
    }
    if (cfg->program_parts && !cfg->program_sha256) {
        sr_launch_error(out, "program parts need the SHA-256 of the whole program (program_sha256)");
        return UNUSABLE;
    }
    if (cfg->program_sha256 && !sr_is_sha256_hex(cfg->program_sha256)) {
        sr_launch_error(out, "the program's SHA-256 must be 64 lowercase hex digits, not '%.80s'", cfg->program_sha256);
        return UNUSABLE;
    }
    if (cfg->cpu_ms == 0 || cfg->wall_ms == 0 || cfg->profile > SR_PROFILE_THREADS) {
        sr_launch_error(out, "invalid limits: cpu and wall must be positive");
        return UNUSABLE;
    }
    if (cfg->memory_bytes < SR_MEMORY_MIN) {
        sr_launch_error(out, "invalid limits: memory %llu bytes is below the minimum of %llu (1 MiB)",
                        (unsigned long long)cfg->memory_bytes, (unsigned long long)SR_MEMORY_MIN);
        return UNUSABLE;
    }
    /* A caller that ignores SIGCHLD has its children reaped by the kernel:
     * the program's exit status would be lost. Say so instead. */
    struct sigaction sa;
    if (sigaction(SIGCHLD, NULL, &sa) == 0 && (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT))) {
        sr_launch_error(out, "the calling process ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT), so the kernel "
                        "would discard the program's exit status: give SIGCHLD its default action");
        return FAILED;
    }
    return GO_ON;
}

/* The program, checked (in place, or put together in a sealed memfd: see
 * image.h); stdin, or an empty one (a pipe whose writer is already gone: no
 * /dev/null needed, which a FROM-scratch image lacks). Stdin is opened with
 * the launcher's rights (see the contract notes). */
static int open_inputs(const sr_config *cfg, struct held *h, sr_result *out)
{
    int rc = sr_image_prepare(cfg, &h->image, out->message, sizeof out->message);
    h->prog_fd = h->image.fd;
    if (rc != GO_ON) { out->verdict = SR_LAUNCH_ERROR; return rc; }
    if (!cfg->stdin_path) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) { sr_launch_error(out, "pipe: %s", strerror(errno)); return FAILED; }
        close(p[1]);
        h->stdin_fd = p[0];
        return GO_ON;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    h->stdin_fd = open(cfg->stdin_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (h->stdin_fd < 0) {
        sr_launch_error(out, "stdin %.200s: %s", cfg->stdin_path, errno == ENOENT ? "no such file" : strerror(errno));
        return UNUSABLE;
    }
    if (fstat(h->stdin_fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        sr_launch_error(out, "stdin %.200s: a directory, not a file", cfg->stdin_path);
        return UNUSABLE;
    }
    fcntl(h->stdin_fd, F_SETFL, fcntl(h->stdin_fd, F_GETFL) & ~O_NONBLOCK);   /* reads should block */
    return GO_ON;
}

/* A cgroup of our own if we may create one; else the supervisor watches
 * memory and threads, and the container's cgroup, if it has a limit, is the
 * hard wall behind it. */
static int setup_limits(struct sr_run *run, sr_result *out)
{
    const sr_config *cfg = run->cfg;
    int threads = cfg->profile == SR_PROFILE_THREADS;
    sr_cgroup_setup(&run->cg, cfg->memory_bytes, threads ? SR_THREADS_MAX : 0, NULL, 0);
    if (run->cg.version) {
        out->memory_enforcement = run->cg.version == 2 ? "cgroup-v2" : "cgroup-v1";
        /* A cgroup that could not be given a task limit: watch threads. */
        if (threads && !run->cg.pids_limited) run->max_threads = SR_THREADS_MAX;
    } else {
        /* Memory counts pages used, not address space reserved (the
         * contract), so no RLIMIT_AS: the supervisor reads /proc. */
        out->memory_enforcement = run->cg.own_limit ? "container-cgroup" : "supervisor";
        run->poll_rss = 1;
        run->max_threads = threads ? SR_THREADS_MAX : 1;
    }
    /* A mapping the kernel would refuse outright: beyond the limit and
     * beyond all memory and swap (the heuristic overcommit's only refusal). */
    struct sysinfo si;
    uint64_t all = sysinfo(&si) == 0 ? ((uint64_t)si.totalram + si.totalswap) * si.mem_unit : 0;
    run->refused_above = all > cfg->memory_bytes ? all : cfg->memory_bytes;
    return GO_ON;
}

/* Large pipes, so a fast writer wakes the reader less often. The stdout
 * thread reads its end blocking; the supervisor's stderr end does not block. */
static int setup_pipes(struct sr_run *run, struct held *h, sr_result *out)
{
    if (pipe2(h->out_p, O_CLOEXEC) < 0 || pipe2(h->err_p, O_CLOEXEC) < 0) {
        sr_launch_error(out, "pipe: %s", strerror(errno));
        return FAILED;
    }
    fcntl(h->out_p[0], F_SETPIPE_SZ, 1 << 20);
    fcntl(h->err_p[0], F_SETFL, O_NONBLOCK);
    run->stdout_r = h->out_p[0];
    run->stderr_r = h->err_p[0];
    if (sr_relay_init(&run->relay, run->cfg->stdout_max, run->cfg->on_stdout, run->cfg->on_stdout_ctx) < 0) {
        sr_launch_error(out, "eventfd: %s", strerror(errno));
        return FAILED;
    }
    return GO_ON;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static int start_program(struct sr_run *run, struct held *h, sr_result *out)
{
    const sr_config *cfg = run->cfg;
    struct sr_spawn_req req = {
        .cfg = cfg, .prog_fd = h->prog_fd, .stdin_fd = h->stdin_fd, .stdout_w = h->out_p[1],
        .stderr_w = h->err_p[1], .cg = &run->cg, .drop_privileges = geteuid() == 0,
        .mem_threshold = run->refused_above,
        .nproc_limit = cfg->profile == SR_PROFILE_THREADS && run->max_threads ? THREADS_NPROC_BACKSTOP : 0,
        .in_memory = h->image.in_memory,
    };
    char msg[sizeof out->message];
    if (sr_spawn(&req, &run->child, msg, sizeof msg) < 0) {
        sr_launch_error(out, "%s", msg);
        return run->child.unusable ? UNUSABLE : FAILED;
    }
    /* What was executed: the memfd's digest (a file run in place has none). */
    memcpy(out->program_sha256, h->image.sha256, sizeof out->program_sha256);
    /* Only the program holds the write ends now: end of file means it is gone. */
    close_fd(&h->out_p[1]);
    close_fd(&h->err_p[1]);
    close_fd(&h->stdin_fd);
    close_fd(&h->prog_fd);
    /* What the caller's own peak memory is now: the program's wait4 figure
     * starts from it (exec hands the old address space's peak on), so only
     * a figure above it is the program's own. */
    struct rusage self;
    run->caller_hwm = getrusage(RUSAGE_SELF, &self) == 0 ? (uint64_t)self.ru_maxrss * 1024 : UINT64_MAX;
    if (sr_relay_start(&run->relay, run->stdout_r) < 0) {
        sr_launch_error(out, "starting the stdout relay: %s", strerror(errno));
        return FAILED;
    }
    return GO_ON;
}

/* The program's /proc files: its peak memory at exit in every run, and the
 * supervisor's watch without a cgroup, where a program that cannot be
 * watched must not run. */
static int setup_memory_watch(struct sr_run *run, sr_result *out)
{
    char msg[sizeof out->message];
    int watched = run->poll_rss || run->max_threads;
    if (sr_memwatch_open(&run->mem, run->child.pidfd, run->child.pid, run->poll_rss, msg, sizeof msg) == 0 || !watched)
        return GO_ON;
    sr_launch_error(out, "%s", msg);
    return FAILED;
}

/* The run's figures and verdict, once the program has ended. */
static void decide(struct sr_run *run, int status, const struct rusage *ru, sr_result *out)
{
    const sr_config *cfg = run->cfg;
    struct sr_facts *f = &run->facts;
    uint64_t cpu_us = ((uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec) * 1000000ull +
                      (uint64_t)ru->ru_utime.tv_usec + (uint64_t)ru->ru_stime.tv_usec;
    f->cpu_ms = (cpu_us + run->supervisor_ns / 1000) / 1000;
    if (WIFEXITED(status)) { f->exited = 1; f->exit_code = WEXITSTATUS(status); }
    else if (WIFSIGNALED(status)) f->signal = WTERMSIG(status);
    f->output_over = run->relay.over;
    f->cgroup_version = run->cg.version;
    f->notified = run->child.notify;

    /* Peak memory: the last /proc reading (at exit, and while it ran); or
     * wait4's figure where it is above the caller's own: it starts from the
     * caller's peak (the address space shared until exec), so above it, it
     * is the program's (a program killed before its exit call, or one no
     * notification shows). */
    uint64_t waited = (uint64_t)ru->ru_maxrss * 1024;
    if (waited > run->caller_hwm && waited > f->max_rss) f->max_rss = waited;
    /* Nothing better known (a short program no look caught, and no exit
     * notification): wait4's figure, which may be the caller's, is the
     * estimate reported; it is never judged against the limit. */
    if (!f->max_rss && waited) { f->max_rss = waited; f->max_rss_estimated = 1; }

    long long oom = 0, hits = 0;
    uint64_t cg_peak = 0;
    int completed = f->exited && f->exit_code == 0;
    if (sr_cgroup_stats(&run->cg, &oom, &hits, &cg_peak) < 0 && f->killed_for == KILL_NONE && !completed) {
        /* A program that died may have died of memory: say we cannot tell. */
        f->killed_for = KILL_UNWATCHABLE;
        snprintf(f->why, sizeof f->why, "the run's cgroup could not be read: whether memory ran out is unknown");
    }
    f->oom_kills = oom;
    f->limit_hits = hits;
    /* The cgroup's peak also counts page cache (stdin read from a file):
     * only when /proc told nothing is it the best bound there is. */
    if (cg_peak && (!f->max_rss || f->max_rss_estimated)) { f->max_rss = cg_peak; f->max_rss_estimated = 1; }

    sr_decide(f, cfg, out);
    out->exited = f->exited;
    out->exit_code = f->exit_code;
    out->signal = f->signal;
    out->cpu_ms = f->cpu_ms;
    out->wall_ms = (run->end_ns - run->child.exec_ns) / 1000000ull;
    out->max_rss_bytes = f->max_rss;
}

static int supervise(struct sr_run *run, struct held *h, sr_result *out)
{
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (sr_supervise(run, &status, &ru) < 0) {
        sr_launch_error(out, "waiting for the program: %s", strerror(errno));
        return FAILED;
    }
    h->reaped = 1;
    decide(run, status, &ru, out);
    out->stdout_bytes = run->relay.bytes;
    sr_relay_digest(&run->relay, out->stdout_sha256);
    out->stderr_tail_len = sr_relay_tail(&run->relay, out->stderr_tail, sizeof out->stderr_tail);
    /* Stopped from outside (or nobody took stdout): no verdict on the program. */
    enum sr_kill_reason k = run->facts.killed_for;
    return k == KILL_CANCELLED || k == KILL_CONSUMER || k == KILL_UNWATCHABLE ? FAILED : GO_ON;
}

/* Nothing of the run survives it: the program, its descriptors, its cgroup. */
static void cleanup(struct sr_run *run, struct held *h)
{
    if (run->child.pid > 0 && !h->reaped) {
        sr_run_kill(run, KILL_CANCELLED);
        while (waitpid(run->child.pid, NULL, __WALL) < 0 && errno == EINTR) {}
    }
    close_fd(&run->child.pidfd);
    close_fd(&run->child.listener);
    sr_memwatch_close(&run->mem);
    for (int i = 0; i < 2; i++) { close_fd(&h->out_p[i]); close_fd(&h->err_p[i]); }
    close_fd(&h->stdin_fd);
    close_fd(&h->prog_fd);
    sr_relay_free(&run->relay);
    sr_cgroup_destroy(&run->cg);
}

int sr_run(const sr_config *cfg, sr_result *out)
{
    struct sr_run run;
    struct held h;
    init(&run, &h, cfg, out);
    int rc = check_request(cfg, out);
    if (rc == GO_ON) rc = open_inputs(cfg, &h, out);
    if (rc == GO_ON) rc = setup_limits(&run, out);
    if (rc == GO_ON) rc = setup_pipes(&run, &h, out);
    if (rc == GO_ON) rc = start_program(&run, &h, out);
    if (rc == GO_ON) rc = setup_memory_watch(&run, out);
    if (rc == GO_ON) rc = supervise(&run, &h, out);
    cleanup(&run, &h);
    return rc;
}
