/*
 * sr_run: one run from start to verdict. The order of the steps is the
 * order of isolate's: check the input, prepare the cgroup and pipes, spawn,
 * supervise, decide the verdict, clean up (nothing of the run survives).
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
#include "policy_rules.h"
#include "program.h"
#include "result.h"
#include "run.h"
#include "util.h"

#define THREADS_MAX 256
/* Without a cgroup: a per-user backstop (all runs share uid 65534), far
 * above one run's cap, which the supervisor enforces itself. */
#define THREADS_NPROC_BACKSTOP 4096

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

static void fail(sr_result *out, const char *fmt, const char *detail)
{
    sr_result_set(out, SR_LAUNCH_ERROR, fmt, detail);
}

static void set_verdict(struct sr_run *run, int status, const struct rusage *ru, sr_result *out)
{
    const sr_config *cfg = run->cfg;
    char sig[24];
    out->cpu_ms = ((uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec) * 1000 +
                  ((uint64_t)ru->ru_utime.tv_usec + (uint64_t)ru->ru_stime.tv_usec) / 1000;
    out->wall_ms = (run->end_ns - run->child.exec_ns) / 1000000ull;
    /* Peak resident memory as read from /proc (at exit_group, and while it
     * ran), or the cgroup's peak where that is more. Never wait4's figure:
     * it also counts the caller's memory, which the child shared until exec
     * (a JVM's, through the library). */
    out->max_rss_bytes = run->peak_rss;
    if (WIFEXITED(status)) { out->exited = 1; out->exit_code = WEXITSTATUS(status); }
    else if (WIFSIGNALED(status)) out->signal = WTERMSIG(status);
    int completed = out->exited && out->exit_code == 0;

    long long oom = 0, hits = 0;
    uint64_t peak = 0;
    sr_cgroup_stats(&run->cg, &oom, &hits, &peak);
    if (peak > out->max_rss_bytes) out->max_rss_bytes = peak;

    switch (run->killed_for) {
    case KILL_SYSCALL:
        if (run->dodged && !run->syscall[0]) {
            sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: a system call the supervisor had to see was "
                          "withdrawn by a signal before it could (profile %s)", sr_profile_name(cfg->profile));
            return;
        }
        snprintf(out->syscall, sizeof out->syscall, "%s", run->syscall);
        sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: system call %s is not allowed under profile %s",
                      run->syscall, sr_profile_name(cfg->profile));
        return;
    case KILL_CPU:
        sr_result_set(out, SR_CPU_TIME_LIMIT_EXCEEDED, "killed: CPU time limit of %llu ms reached",
                      (unsigned long long)cfg->cpu_ms);
        return;
    case KILL_WALL:
        sr_result_set(out, SR_WALL_TIME_LIMIT_EXCEEDED, "killed: wall-clock limit of %llu ms reached",
                      (unsigned long long)cfg->wall_ms);
        return;
    case KILL_THREADS:
        snprintf(out->syscall, sizeof out->syscall, "clone");
        sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: more than %d threads", THREADS_MAX);
        return;
    case KILL_MEMORY:
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "killed: resident memory passed the limit of %llu bytes",
                      (unsigned long long)cfg->memory_bytes);
        return;
    case KILL_OUTPUT:
        sr_result_set(out, SR_OUTPUT_LIMIT_EXCEEDED, "killed: stdout passed the limit of %llu bytes",
                      (unsigned long long)cfg->stdout_max);
        return;
    case KILL_CONSUMER:
        sr_result_set(out, SR_LAUNCH_ERROR, "stopped: the program's stdout could not be passed on");
        return;
    case KILL_CANCELLED:
        sr_result_set(out, SR_LAUNCH_ERROR, "stopped: the launcher was asked to stop");
        return;
    case KILL_NONE:
        break;
    }
    if (run->relay.over) {
        /* The bytes past the cap came after the program's last look (it
         * exited before the supervisor read them): the cap still holds. */
        sr_result_set(out, SR_OUTPUT_LIMIT_EXCEEDED, "stdout passed the limit of %llu bytes",
                      (unsigned long long)cfg->stdout_max);
        return;
    }
    if (oom > 0) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "killed by the kernel: out of memory at the limit of %llu bytes",
                      (unsigned long long)cfg->memory_bytes);
        return;
    }
    if (!completed && (run->memory_refused || (run->cg.version && hits > 0))) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "memory ran out at the limit of %llu bytes and the program %s",
                      (unsigned long long)cfg->memory_bytes, out->exited ? "gave up" : "died");
        return;
    }
    if (!run->cg.version && out->max_rss_bytes > cfg->memory_bytes) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "resident memory reached %llu bytes, over the limit of %llu",
                      (unsigned long long)out->max_rss_bytes, (unsigned long long)cfg->memory_bytes);
        return;
    }
    if (out->signal == SIGSYS && !run->child.notify) {
        /* Filters that kill directly (no notification): the kernel's SIGSYS. */
        sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: a system call not allowed under profile %s",
                      sr_profile_name(cfg->profile));
        return;
    }
    /* RLIMIT_CPU, the backstop: SIGXCPU at its soft limit, SIGKILL at its
     * hard one, both a second or more past --cpu-ms. With many threads the
     * kernel's sampling and wait4's sum can differ by a little: allow 10%.
     * A program that raises SIGXCPU on itself early is just Signaled. */
    if ((out->signal == SIGXCPU || out->signal == SIGKILL) && out->cpu_ms * 10 >= cfg->cpu_ms * 9) {
        sr_result_set(out, SR_CPU_TIME_LIMIT_EXCEEDED, "killed: CPU time limit of %llu ms reached",
                      (unsigned long long)cfg->cpu_ms);
        return;
    }
    if (completed) sr_result_set(out, SR_COMPLETED, "exited with code 0");
    else if (out->exited) sr_result_set(out, SR_NON_ZERO_EXIT, "exited with code %d", out->exit_code);
    else sr_result_set(out, SR_SIGNALED, "killed by signal %s", sr_signal_name(out->signal, sig, sizeof sig));
}

static int open_stdin(const sr_config *cfg, int *fd, sr_result *out)
{
    if (cfg->stdin_path) {
        *fd = open(cfg->stdin_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (*fd < 0) {
            sr_result_set(out, SR_LAUNCH_ERROR, "stdin %.200s: %s", cfg->stdin_path,
                          errno == ENOENT ? "no such file" : strerror(errno));
            return -1;
        }
        struct stat st;
        if (fstat(*fd, &st) < 0 || S_ISDIR(st.st_mode)) {
            sr_result_set(out, SR_LAUNCH_ERROR, "stdin %.200s: a directory, not a file", cfg->stdin_path);
            close(*fd);
            return -1;
        }
        /* O_NONBLOCK only guarded the open (a FIFO); reads should block. */
        fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
        return 0;
    }
    /* Empty stdin: a pipe whose writer is already gone (no /dev/null needed,
     * which a FROM-scratch image does not have). */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { sr_result_set(out, SR_LAUNCH_ERROR, "pipe: %s", strerror(errno)); return -1; }
    close(p[1]);
    *fd = p[0];
    return 0;
}

int sr_run(const sr_config *cfg, sr_result *out)
{
    memset(out, 0, sizeof *out);
    struct sr_run run;
    memset(&run, 0, sizeof run);
    run.cfg = cfg;
    run.stdout_r = run.stderr_r = run.status_fd = -1;
    run.child.pid = -1; run.child.pidfd = run.child.listener = -1;
    sr_cgroup_init(&run.cg);
    int prog_fd = -1, stdin_fd = -1, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
    int rc = 1;
    {
        char hex[65];
        sr_sha256 s; unsigned char d[32];
        sr_sha256_init(&s); sr_sha256_final(&s, d); sr_sha256_hex(d, hex);
        memcpy(out->stdout_sha256, hex, sizeof hex);
    }

    /* check_input: nothing runs unless the program and stdin are usable */
    if (!cfg->program || !cfg->argv || !cfg->argv[0]) { fail(out, "%s", "no program given"); return 1; }
    if (cfg->cpu_ms == 0 || cfg->wall_ms == 0 || cfg->memory_bytes == 0 || cfg->profile > SR_PROFILE_THREADS) {
        fail(out, "%s", "invalid limits: cpu, wall and memory must be positive");
        return 1;
    }
    /* A caller that ignores SIGCHLD has its children reaped by the kernel:
     * the program's exit status would be lost. Say so instead. */
    {
        struct sigaction sa;
        if (sigaction(SIGCHLD, NULL, &sa) == 0 && (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT))) {
            fail(out, "%s", "the calling process ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT), so the kernel "
                 "would discard the program's exit status: give SIGCHLD its default action");
            return 2;
        }
    }
    prog_fd = sr_open_program(cfg->program, out->message, sizeof out->message);
    if (prog_fd < 0) { out->verdict = SR_LAUNCH_ERROR; return 1; }
    if (open_stdin(cfg, &stdin_fd, out) < 0) { close(prog_fd); return 1; }

    rc = 2;
    /* setup_cgroup: ours if we may create one, else the container's */
    sr_cgroup_setup(&run.cg, cfg->memory_bytes, cfg->profile == SR_PROFILE_THREADS ? THREADS_MAX : 0, NULL, 0);
    if (run.cg.version) {
        out->memory_enforcement = run.cg.version == 2 ? "cgroup-v2" : "cgroup-v1";
    } else {
        /* No cgroup of our own: resident memory is watched (the contract
         * counts pages used, not address space reserved, so no RLIMIT_AS),
         * and the container's cgroup, if it has a limit, is the hard wall. */
        out->memory_enforcement = run.cg.own_limit ? "container-cgroup" : "supervisor";
        run.poll_rss = 1;
        run.max_threads = cfg->profile == SR_PROFILE_THREADS ? THREADS_MAX : 1;
    }

    /* setup_pipes: large pipes so a fast writer wakes us less often */
    if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
        fail(out, "pipe: %s", strerror(errno));
        goto done;
    }
    fcntl(out_p[0], F_SETPIPE_SZ, 1 << 20);
    fcntl(out_p[0], F_SETFL, O_NONBLOCK);
    fcntl(err_p[0], F_SETFL, O_NONBLOCK);
    run.stdout_r = out_p[0];
    run.stderr_r = err_p[0];
    if (sr_relay_init(&run.relay, cfg->stdout_max, cfg->on_stdout, cfg->on_stdout_ctx) < 0) {
        fail(out, "%s", "out of memory for the relay buffer");
        goto done;
    }

    /* A mapping the kernel would refuse outright: beyond the limit and beyond
     * all memory and swap (the heuristic overcommit's only refusal). */
    {
        struct sysinfo si;
        uint64_t all = sysinfo(&si) == 0 ? ((uint64_t)si.totalram + si.totalswap) * si.mem_unit : 0;
        run.refused_above = all > cfg->memory_bytes ? all : cfg->memory_bytes;
    }
    struct sr_spawn_req req = {
        .cfg = cfg, .prog_fd = prog_fd, .stdin_fd = stdin_fd, .stdout_w = out_p[1], .stderr_w = err_p[1],
        .cg = &run.cg, .drop_privileges = geteuid() == 0, .mem_threshold = run.refused_above,
        .nproc_limit = !run.cg.version && cfg->profile == SR_PROFILE_THREADS ? THREADS_NPROC_BACKSTOP : 0,
    };
    char msg[sizeof out->message];
    if (sr_spawn(&req, &run.child, msg, sizeof msg) < 0) {
        sr_result_set(out, SR_LAUNCH_ERROR, "%s", msg);
        goto done;
    }
    /* Only the program holds the write ends now: end of file means it is gone. */
    close(out_p[1]); out_p[1] = -1;
    close(err_p[1]); err_p[1] = -1;
    close(stdin_fd); stdin_fd = -1;
    close(prog_fd); prog_fd = -1;
    {
        /* /proc must be of our pid namespace (not so after a bare
         * `unshare --pid`), else its PID is another process. */
        char path[64], self[32];
        ssize_t n = readlink("/proc/self", self, sizeof self - 1);
        if (n > 0) self[n] = '\0';
        if (n > 0 && atoi(self) == (int)getpid())
            run.status_fd = open(sr_fmt(path, sizeof path, "/proc/%d/status", (int)run.child.pid), O_RDONLY | O_CLOEXEC);
    }

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (sr_supervise(&run, &status, &ru, cfg->cancel_fd) < 0) {
        fail(out, "waiting for the program: %s", strerror(errno));
        goto done;
    }
    set_verdict(&run, status, &ru, out);
    out->stdout_bytes = run.relay.bytes;
    sr_relay_digest(&run.relay, out->stdout_sha256);
    out->stderr_tail_len = sr_relay_tail(&run.relay, out->stderr_tail, sizeof out->stderr_tail);
    /* Stopped from outside (or nobody took stdout): no verdict on the program. */
    rc = run.killed_for == KILL_CANCELLED || run.killed_for == KILL_CONSUMER ? 2 : 0;

done:
    if (run.child.pid > 0 && rc == 1) {
        sr_run_kill(&run, KILL_CANCELLED);
        while (waitpid(run.child.pid, NULL, __WALL) < 0 && errno == EINTR) {}
    }
    if (run.child.pidfd >= 0) close(run.child.pidfd);
    if (run.child.listener >= 0) close(run.child.listener);
    if (run.status_fd >= 0) close(run.status_fd);
    for (int i = 0; i < 2; i++) {
        if (out_p[i] >= 0) close(out_p[i]);
        if (err_p[i] >= 0) close(err_p[i]);
    }
    if (stdin_fd >= 0) close(stdin_fd);
    if (prog_fd >= 0) close(prog_fd);
    sr_relay_free(&run.relay);
    sr_cgroup_destroy(&run.cg);
    return rc;
}
