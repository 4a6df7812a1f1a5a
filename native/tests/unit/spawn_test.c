/*
 * Through sr_run, with this test binary (static, musl) as the program:
 * the stack limit is the memory limit, soft and hard, whatever the caller's
 * was; the program may change its own limits but not another process's; and
 * a program file that stays open for writing is reported as such after a
 * bounded wait, not retried for ever.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "program.h"
#include "sandboxrun.h"
#include "spawn.h"
#include "unit.h"
#include "util.h"

/* ---- the program side (argv[1] says which) ---- */

static int as_program(const char *what)
{
    struct rlimit rl;
    if (!strcmp(what, "limits")) {
        getrlimit(RLIMIT_STACK, &rl);
        printf("stack %llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
        rl.rlim_cur = rl.rlim_max / 2;
        printf("lower soft %d\n", setrlimit(RLIMIT_STACK, &rl));
        rl.rlim_cur = rl.rlim_max;
        printf("raise soft %d\n", (int)syscall(SYS_prlimit64, 0, RLIMIT_STACK, &rl, NULL));
        rl.rlim_max = RLIM_INFINITY;
        int r = (int)syscall(SYS_prlimit64, getpid(), RLIMIT_STACK, &rl, NULL);
        printf("raise hard %d %s\n", r, r ? strerror(errno) : "");
        return 0;
    }
    if (!strcmp(what, "other-pid")) {
        fflush(stdout);
        syscall(SYS_prlimit64, 1, RLIMIT_STACK, NULL, &rl);
        return 0;
    }
    return 3;
}

/* ---- the test side ---- */

static char out[4096];
static size_t out_len;

static int collect(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    if (out_len + len < sizeof out) { memcpy(out + out_len, data, len); out_len += len; out[out_len] = '\0'; }
    return 0;
}

static int run(const char *program, const char *what, uint64_t memory, sr_result *r)
{
    const char *argv[] = { "spawn_test", what, NULL };
    sr_config cfg;
    sr_config_defaults(&cfg);
    cfg.program = program;
    cfg.argv = argv;
    cfg.memory_bytes = memory;
    cfg.cpu_ms = 5000;
    cfg.on_stdout = collect;
    out_len = 0;
    out[0] = '\0';
    return sr_run(&cfg, r);
}

static void stack_is_the_memory_limit(const char *self)
{
    /* The caller's own soft limit is something else. */
    struct rlimit mine = { 8 << 20, RLIM_INFINITY };
    getrlimit(RLIMIT_STACK, &mine);
    mine.rlim_cur = 8 << 20;
    setrlimit(RLIMIT_STACK, &mine);
    sr_result r;
    for (uint64_t mem = 32 << 20; mem <= 512ull << 20; mem *= 16) {
        int rc = run(self, "limits", mem, &r);
        char want[96];
        sr_fmt(want, sizeof want, "stack %llu %llu\n", (unsigned long long)mem, (unsigned long long)mem);
        CHECK(rc == 0 && r.verdict == SR_COMPLETED, "limits run: %s: %s", sr_verdict_name(r.verdict), r.message);
        CHECK(strncmp(out, want, strlen(want)) == 0, "stack limit for --memory %llu: got \"%s\"", (unsigned long long)mem, out);
        CHECK(strstr(out, "lower soft 0\n") && strstr(out, "raise soft 0\n"), "the program may change its soft limit: %s", out);
        CHECK(strstr(out, "raise hard -1 Operation not permitted"), "but not raise the hard one: %s", out);
    }
}

static void other_pids_refused(const char *self)
{
    sr_result r;
    run(self, "other-pid", 64 << 20, &r);
    CHECK(r.verdict == SR_SYSCALL_VIOLATION && !strcmp(r.syscall, "prlimit64"), "prlimit64 on pid 1: %s %s: %s",
          sr_verdict_name(r.verdict), r.syscall, r.message);
}

static uint64_t now_ms(void) { return sr_now_ns() / 1000000; }

static void held_open_for_writing(const char *self)
{
    char dir[] = "/tmp/sr-spawn-test-XXXXXX", path[64];
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(2); }
    chmod(dir, 0755);
    snprintf(path, sizeof path, "%s/prog", dir);
    int in = open(self, O_RDONLY | O_CLOEXEC), fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    char buf[65536];
    ssize_t n;
    while (in >= 0 && fd >= 0 && (n = read(in, buf, sizeof buf)) > 0) if (write(fd, buf, (size_t)n) != n) break;
    close(in);
    fchmod(fd, 0755);
    sr_result r;
    uint64_t t0 = now_ms();
    int rc = run(path, "limits", 64 << 20, &r);          /* fd is still open for writing */
    uint64_t took = now_ms() - t0;
    CHECK(rc != 0 && r.verdict == SR_LAUNCH_ERROR && strstr(r.message, "open for writing by another process"),
          "a program held open for writing: rc %d, %s: %s", rc, sr_verdict_name(r.verdict), r.message);
    CHECK(took >= 150 && took < 5000, "the retries are bounded (%llu ms)", (unsigned long long)took);
    /* sr_spawn itself says the program is to blame (run.c: nothing ran). */
    char m[256];
    int prog = sr_open_program(path, m, sizeof m), p[2];
    if (prog < 0 || pipe2(p, O_CLOEXEC) < 0) { fprintf(stderr, "%s\n", m); exit(2); }
    sr_config cfg;
    sr_config_defaults(&cfg);
    const char *argv[] = { "spawn_test", "limits", NULL };
    cfg.program = path;
    cfg.argv = argv;
    struct sr_spawn_req req = { .cfg = &cfg, .prog_fd = prog, .stdin_fd = p[0], .stdout_w = p[1], .stderr_w = p[1],
                                .drop_privileges = geteuid() == 0 };
    struct sr_child child;
    memset(&child, 0, sizeof child);
    CHECK(sr_spawn(&req, &child, m, sizeof m) == -1 && child.unusable == 1 && child.pid == -1,
          "sr_spawn on a file held open for writing: unusable %d, %s", child.unusable, m);
    close(prog); close(p[0]); close(p[1]);
    close(fd);
    rc = run(path, "limits", 64 << 20, &r);                /* closed: it runs */
    CHECK(rc == 0 && r.verdict == SR_COMPLETED, "once closed: %s: %s", sr_verdict_name(r.verdict), r.message);
    unlink(path);
    rmdir(dir);
}

/* A container runtime whose own filter answers kill(0, 0) (the calibration
 * call) itself, before ours sees it: runs still start, and violations are
 * still named. Stacked filters: the runtime's ERRNO wins over our notify. */
static void runtime_swallows_calibration(const char *self)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 0, 5),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { sizeof f / sizeof *f, f };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) _exit(90);
        if (kill(0, 0) == 0 || errno != EPERM) _exit(91);
        sr_result r;
        if (run(self, "limits", 64 << 20, &r) != 0 || r.verdict != SR_COMPLETED || !strstr(out, "stack 67108864")) {
            fprintf(stderr, "swallowed calibration: %s: %s\n", sr_verdict_name(r.verdict), r.message);
            _exit(92);
        }
        run(self, "other-pid", 64 << 20, &r);
        if (r.verdict != SR_SYSCALL_VIOLATION || strcmp(r.syscall, "prlimit64") != 0) {
            fprintf(stderr, "swallowed calibration, violation: %s %s: %s\n", sr_verdict_name(r.verdict), r.syscall, r.message);
            _exit(93);
        }
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "runs under a runtime filter that answers kill(0, 0): status %#x", status);
}

/* The library refuses a memory limit below its minimum itself, whoever calls
 * it (the launcher's option parser is not the only caller: a JVM's child
 * shares the JVM's memory until exec, and an OOM kill would take the JVM). */
static void memory_below_the_minimum_refused(const char *self)
{
    sr_result r;
    int rc = run(self, "stack", 16 * 1024, &r);
    CHECK(rc == 1 && r.verdict == SR_LAUNCH_ERROR && strstr(r.message, "minimum"),
          "16 KiB of memory refused before anything runs: rc %d, %s: %s", rc, sr_verdict_name(r.verdict), r.message);
    rc = run(self, "stack", SR_MEMORY_MIN - 1, &r);
    CHECK(rc == 1 && r.verdict == SR_LAUNCH_ERROR, "one byte below SR_MEMORY_MIN refused: rc %d, %s", rc, r.message);
}

int main(int argc, char **argv)
{
    if (argc > 1) return as_program(argv[1]);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { perror("/proc/self/exe"); return 2; }
    self[n] = '\0';
    stack_is_the_memory_limit(self);
    other_pids_refused(self);
    held_open_for_writing(self);
    runtime_swallows_calibration(self);
    memory_below_the_minimum_refused(self);
    return unit_done("spawn_test");
}
