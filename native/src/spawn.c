#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "policy_rules.h"
#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* Set once a kernel or container refuses to hand us the notification fd:
 * later runs go straight to filters that kill (same answer for all runs). */
static atomic_int notify_unavailable;

/* The child's stack: child_main's frames and the filter it builds
 * (struct sr_policy, 3 KiB) take about 4 KiB; room to spare. */
#define CHILD_STACK (16 * 1024)

/* ---- the child: raw system calls only ------------------------------------
 * It shares the caller's memory (and TLS) until exec, so it must not touch
 * errno, locks or the allocator. Each step names itself on failure. */

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

enum { MSG_READY = 1, MSG_FAIL = 2, MSG_CALIBRATED = 3 };
/* What the supervisor answers the calibration call with: no kill() returns
 * it, and no container runtime's filter would. */
#define CALIBRATION_ANSWER 0x5EC0CA1L
struct sync_msg { int kind; int value; int err; char step[36]; };

struct child_args {
    const struct sr_spawn_req *req;
    int sync_fd;                 /* child's end of the sync socket */
    const char *exec_path;       /* "" on a page at a random address */
    int notify;
    pid_t parent;
    uint64_t ignored;            /* the caller's ignored signals (bit n-1: signal n) */
    const char *const *envp;
};

/* The child's own state, on its own stack (the args live in the caller's
 * frame: the child only reads them). */
struct child {
    const struct child_args *a;
    const sr_config *cfg;
    int sync_fd;                 /* moves to SR_SYNC_FD in setup_fds */
};

static void copy_step(char *dst, const char *src)
{
    size_t i = 0;
    for (; src[i] && i < sizeof(((struct sync_msg *)0)->step) - 1; i++) dst[i] = src[i];
    dst[i] = '\0';
}

static __attribute__((noreturn)) void child_fail(const struct child *c, const char *step, long err)
{
    struct sync_msg m = { MSG_FAIL, 0, (int)-err, "" };
    copy_step(m.step, step);
    sys3(SYS_write, c->sync_fd, &m, sizeof m);
    for (;;) sys1(SYS_exit_group, 127);
}

#define STEP(name, call) do { long rc_ = (call); if (rc_ < 0) child_fail(c, name, rc_); } while (0)

static void set_limit(const struct child *c, int res, uint64_t soft, uint64_t hard, const char *step)
{
    struct rlimit rl = { soft, hard };
    STEP(step, sys4(SYS_prlimit64, 0, res, &rl, 0));
}

/* Its own session and process group, no terminal. */
static void setup_session(const struct child *c)
{
    STEP("setsid", sys0(SYS_setsid));
}

/* Join the run's cgroup(s) while still privileged. */
static void setup_cgroup(const struct child *c)
{
    const struct sr_cgroup *cg = c->a->req->cg;
    for (int i = 0; cg && i < 2; i++)
        if (cg->procs_fd[i] >= 0) STEP("join cgroup", sys3(SYS_write, cg->procs_fd[i], "0", 1));
}

/* 0, 1, 2 and the two launch descriptors; every other one closed. Sources
 * first go above anything they could collide with. */
static void setup_fds(struct child *c)
{
    const struct sr_spawn_req *req = c->a->req;
    int src[5] = { req->stdin_fd, req->stdout_w, req->stderr_w, req->prog_fd, c->sync_fd };
    int hi[5];
    for (int i = 0; i < 5; i++) {
        long fd = sys3(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, SR_SYNC_FD + 1);
        if (fd < 0) child_fail(c, "dup descriptor", fd);
        hi[i] = (int)fd;
    }
    c->sync_fd = hi[4];
    for (int i = 0; i < 3; i++) STEP("dup2 stdio", sys3(SYS_dup3, hi[i], i, 0));
    STEP("dup program fd", sys3(SYS_dup3, hi[3], SR_PROG_FD, O_CLOEXEC));
    STEP("dup sync fd", sys3(SYS_dup3, hi[4], SR_SYNC_FD, O_CLOEXEC));
    c->sync_fd = SR_SYNC_FD;
    if (sys3(SYS_close_range, 3, SR_PROG_FD - 1, 0) < 0 || sys3(SYS_close_range, SR_SYNC_FD + 1, ~0u, 0) < 0) {
        struct rlimit rl;
        sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &rl);
        for (long fd = 3; fd < (long)rl.rlim_cur && fd < (1 << 20); fd++)
            if (fd != SR_PROG_FD && fd != SR_SYNC_FD) sys1(SYS_close, fd);
    }
}

/* Nothing of the launcher's working directory shows. */
static void setup_cwd(const struct child *c)
{
    STEP("chdir /", sys1(SYS_chdir, "/"));
}

/* No core, no files written, few descriptors (all below SR_PROG_FD, so no
 * descriptor with that number can ever exist again), nothing locked, the
 * CPU limit as a backstop to the supervisor, and the stack as large as the
 * memory limit (soft and hard, as isolate and CMS set it: a deep recursion
 * behaves the same whatever the caller's `ulimit -s` was; the memory limit
 * still bounds what the stack may really use). */
static void setup_rlimits(const struct child *c)
{
    const struct sr_spawn_req *req = c->a->req;
    uint64_t cpu_s = (c->cfg->cpu_ms + 999) / 1000 + 1;
    set_limit(c, RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    set_limit(c, RLIMIT_FSIZE, 0, 0, "RLIMIT_FSIZE");
    set_limit(c, RLIMIT_NOFILE, SR_PROGRAM_NOFILE, SR_PROGRAM_NOFILE, "RLIMIT_NOFILE");
    set_limit(c, RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
    set_limit(c, RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE");
    set_limit(c, RLIMIT_CPU, cpu_s, cpu_s + 1, "RLIMIT_CPU");
    /* Raising a hard limit needs CAP_SYS_RESOURCE: a caller without it whose
     * hard stack limit is lower gets that one for both (lowering is allowed). */
    struct rlimit stack = { c->cfg->memory_bytes, c->cfg->memory_bytes };
    if (sys4(SYS_prlimit64, 0, RLIMIT_STACK, &stack, 0) < 0) {
        STEP("RLIMIT_STACK", sys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, &stack));
        set_limit(c, RLIMIT_STACK, stack.rlim_max, stack.rlim_max, "RLIMIT_STACK");
    }
    /* Pending signals and POSIX timers are counted per user, and every run
     * is uid 65534: a run may not use up the others' share. */
    set_limit(c, RLIMIT_SIGPENDING, 128, 128, "RLIMIT_SIGPENDING");
    if (req->nproc_limit) set_limit(c, RLIMIT_NPROC, req->nproc_limit, req->nproc_limit, "RLIMIT_NPROC");
}

/* An unprivileged uid and gid, no supplementary groups; no ambient
 * capability (the only kind that survives an exec without file
 * capabilities, which no_new_privs ignores anyway); no new privileges. */
static void setup_credentials(const struct child *c)
{
    const sr_config *cfg = c->cfg;
    if (c->a->req->drop_privileges) {
        STEP("setgroups", sys2(SYS_setgroups, 0, 0));
        STEP("setresgid", sys3(SYS_setresgid, cfg->sandbox_gid, cfg->sandbox_gid, cfg->sandbox_gid));
        STEP("setresuid", sys3(SYS_setresuid, cfg->sandbox_uid, cfg->sandbox_uid, cfg->sandbox_uid));
        unsigned r, e, s;
        sys3(SYS_getresuid, &r, &e, &s);
        if (r != cfg->sandbox_uid || e != cfg->sandbox_uid || s != cfg->sandbox_uid)
            child_fail(c, "uid did not change", -EPERM);
    }
    long rc = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (rc < 0 && rc != -EINVAL) child_fail(c, "PR_CAP_AMBIENT_CLEAR_ALL", rc);   /* EINVAL: before 4.3 */
    STEP("PR_SET_NO_NEW_PRIVS", sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

/* Die with the launcher, even if it already died. After the uid change:
 * changing credentials clears the setting. */
static void setup_parent_death(const struct child *c)
{
    STEP("PR_SET_PDEATHSIG", sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL));
    if (sys0(SYS_getppid) != c->a->parent) child_fail(c, "launcher gone", -ESRCH);
}

/* Default dispositions, nothing blocked. exec resets handled signals
 * itself; ignored ones would survive it. */
static void setup_signals(const struct child *c)
{
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } sa = { SIG_DFL, 0, 0, 0 };
    for (int sig = 1; sig <= 64; sig++)
        if ((c->a->ignored >> (sig - 1)) & 1) sys4(SYS_rt_sigaction, sig, &sa, 0, 8);
    uint64_t empty = 0;
    STEP("sigprocmask", sys4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, 8));
}

/* The last step; from here on only what the profile allows (read, write,
 * exit and the one execveat) is possible. Returns the listener's number in
 * the child, or -1 when violations kill directly. */
static long setup_seccomp(const struct child *c)
{
    const struct child_args *a = c->a;
    struct sr_policy pol;
    long self = sys0(SYS_getpid);
    if (sr_policy_build(&pol, c->cfg->profile, a->notify, (pid_t)self, (uint64_t)(uintptr_t)a->exec_path,
                        a->req->mem_threshold) < 0)
        child_fail(c, "build filter", -EINVAL);
    struct sock_fprog prog = { pol.len, pol.insns };
    long listener = sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, a->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
    if (listener < 0) child_fail(c, "load seccomp filter", listener);
    return a->notify ? listener : -1;
}

/* Tells the parent the filter is in place (and where its listener is).
 * With a listener, then makes one call no profile allows, which the parent
 * answers with CALIBRATION_ANSWER once it holds the listener: it learns
 * where the ids of the filter's notifications start (see notify.c), and the
 * answer is the word to go (the listener is O_CLOEXEC: the parent must have
 * it before the exec). Where a container runtime's own filter refused the
 * call before ours saw it, the child says so and waits for the word.
 * Without a listener there is nothing to wait for. */
static void report_ready(const struct child *c, long listener)
{
    struct sync_msg m = { MSG_READY, (int)listener, 0, "" };
    sys3(SYS_write, c->sync_fd, &m, sizeof m);
    if (listener < 0) return;
    long cal = sys2(SR_CALIBRATION_SYSCALL, 0, 0);
    if (cal == CALIBRATION_ANSWER) return;
    struct sync_msg k = { MSG_CALIBRATED, (int)cal, 0, "" };
    sys3(SYS_write, c->sync_fd, &k, sizeof k);
    char go = 0;
    if (sys3(SYS_read, c->sync_fd, &go, 1) != 1 || go != 'G') for (;;) sys1(SYS_exit_group, 126);
}

/* isolate's box_inside(): the steps in order, each one naming itself to the
 * parent if it fails. */
static int child_main(void *argp)
{
    struct child c = { argp, ((const struct child_args *)argp)->req->cfg, ((const struct child_args *)argp)->sync_fd };
    setup_session(&c);
    setup_cgroup(&c);
    setup_fds(&c);
    setup_cwd(&c);
    setup_rlimits(&c);
    setup_credentials(&c);
    setup_parent_death(&c);
    setup_signals(&c);
    long listener = setup_seccomp(&c);
    report_ready(&c, listener);
    /* The listener and the sync socket are O_CLOEXEC: the program sees neither. */
    long rc = sys5(SYS_execveat, SR_PROG_FD, c.a->exec_path, c.cfg->argv, c.a->envp, AT_EMPTY_PATH);
    child_fail(&c, "execveat", rc);
}

/* ---- the parent ---------------------------------------------------------- */

/* The signals the process ignores, from /proc/self/status (dispositions
 * are process-wide): the child resets just those. All of them when /proc
 * cannot tell. One read of its first 2 KiB: SigIgn sits at ~700 bytes
 * unless the process has hundreds of supplementary groups. */
static uint64_t ignored_signals(void)
{
    const uint64_t all = ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
    char buf[2048];
    int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return all;
    ssize_t n;
    do n = read(fd, buf, sizeof buf - 1); while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0) return all;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nSigIgn:");
    if (!p || !strchr(p + 1, '\n')) return all;        /* absent, or its line cut */
    return strtoull(p + 8, NULL, 16) & all;
}

/* A read-only page of zeros (so an empty string) at a random address: the
 * launch's path argument, pinned in the filter. The program is a new image
 * that never saw it; guessing it takes one try in 2^35, and a miss is a
 * violation. */
static void *map_secret_page(void)
{
    for (int tries = 0; tries < 16; tries++) {
        uint64_t r;
        if (getrandom(&r, sizeof r, 0) != sizeof r) break;
        uintptr_t addr = (uintptr_t)(0x100000000ull + (r % (0x7f0000000000ull - 0x100000000ull))) & ~(uintptr_t)4095;
        void *p = mmap((void *)addr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == (void *)addr) return p;
        if (p != MAP_FAILED) munmap(p, 4096);
    }
    void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);   /* ASLR's randomness */
    return p == MAP_FAILED ? NULL : p;
}

/* The page is made once per process and kept (its munmap cost ~40 us a
 * run here). Sharing it between runs gives a program nothing: it never
 * sees the launcher's memory nor its filter, each run still allows one
 * guess, and N guesses against one address or against N fresh ones
 * succeed alike, with odds of about N in 2^35. */
static _Atomic(void *) secret_page;

static void *secret_empty_path(void)
{
    void *p = atomic_load(&secret_page);
    if (p || !(p = map_secret_page())) return p;
    void *raced = NULL;
    if (atomic_compare_exchange_strong(&secret_page, &raced, p)) return p;
    munmap(p, 4096);                          /* another thread made one first */
    return raced;
}

static int read_msg(int fd, struct sync_msg *m, int timeout_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    int rc;
    do rc = poll(&p, 1, timeout_ms); while (rc < 0 && errno == EINTR);
    if (rc == 0) return -ETIMEDOUT;
    ssize_t n;
    do n = read(fd, m, sizeof *m); while (n < 0 && errno == EINTR);
    if (n == 0) return 0;                      /* EOF: exec happened (or the child died) */
    if (n != (ssize_t)sizeof *m) return -EPROTO;
    m->step[sizeof m->step - 1] = '\0';
    return 1;
}

/* Takes the child's calibration call (no other can come before the program
 * runs), notes the time and answers it, which lets the child exec. *next is
 * then the id the next notification must have. Returns 1 then; 0 when the
 * child said the call never came here (a container runtime's own filter
 * answered it: *next stays 0 and the first notification sets the count; the
 * child then waits for 'G'); -1 when the child went silent or something
 * else came. */
static int calibrate(int listener, int sync_fd, uint64_t *next, uint64_t *exec_ns)
{
    *next = 0;
    for (;;) {
        struct pollfd p[2] = { { listener, POLLIN, 0 }, { sync_fd, POLLIN, 0 } };
        int n = poll(p, 2, 10000);
        if (n < 0 && errno == EINTR) continue;      /* a caller's signal (a JVM has them) */
        if (n <= 0) return -1;
        if (p[1].revents) {                         /* the child spoke (or died) instead */
            struct sync_msg m;
            return read_msg(sync_fd, &m, 0) == 1 && m.kind == MSG_CALIBRATED ? 0 : -1;
        }
        if (!(p[0].revents & POLLIN)) return -1;
        struct seccomp_notif req;
        memset(&req, 0, sizeof req);
        int got;
        do got = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req); while (got < 0 && errno == EINTR);
        if (got < 0 && errno == ENOENT) continue;   /* withdrawn (the child died): the socket will say */
        if (got < 0) return -1;
        if (req.data.nr != SR_CALIBRATION_SYSCALL || req.data.args[0] != 0) return -1;
        *next = req.id + 1;
        *exec_ns = sr_now_ns();
        struct seccomp_notif_resp resp = { req.id, CALIBRATION_ANSWER, 0, 0 };
        return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 ? 1 : -1;
    }
}

static void reap(pid_t pid, int pidfd)
{
    if (pidfd >= 0) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    else kill(pid, SIGKILL);
    while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {}
    if (pidfd >= 0) close(pidfd);
}

/* What one attempt came to. */
enum attempt_result {
    STARTED = 0,
    FAILED = -1,        /* msg says why */
    NO_LISTENER = 1,    /* the notification fd was refused: try again with killing filters */
    TEXT_BUSY = 2,      /* execveat said ETXTBSY: see sr_spawn */
};

/* The parent's view of a child that did not get to run: says why in msg. */
static void explain(const struct sr_spawn_req *req, int rc, const struct sync_msg *m, char *msg, size_t msglen)
{
    if (rc == 1 && m->kind == MSG_FAIL && strcmp(m->step, "execveat") == 0 && m->err == EACCES && req->in_memory)
        sr_fmt(msg, msglen, "executing the program from memory (a sealed memfd) was refused (EACCES): "
               "vm.memfd_noexec=2 or a security module forbids executing memfds here");
    else if (rc == 1 && m->kind == MSG_FAIL && strcmp(m->step, "execveat") == 0 && m->err == EACCES)
        sr_fmt(msg, msglen, "the program cannot be executed by uid %u: make it world-executable (chmod a+rx)",
               req->drop_privileges ? req->cfg->sandbox_uid : (unsigned)getuid());
    else if (rc == 1 && m->kind == MSG_FAIL)
        sr_fmt(msg, msglen, "setting up the sandbox failed at %s: %s", m->step, strerror(m->err));
    else if (rc == 1)
        sr_fmt(msg, msglen, "the sandbox set-up sent an unexpected message (%d)", m->kind);
    else if (rc == -ETIMEDOUT)
        sr_fmt(msg, msglen, "setting up the sandbox timed out");
    else
        sr_fmt(msg, msglen, "the sandbox set-up ended without a word (%s)", rc == 0 ? "child died" : strerror(-rc));
}

/* One attempt: clone the child, take its listener, calibrate, let it go and
 * see it exec. Everything it made is released at one place, except what it
 * hands to child on success. */
static enum attempt_result attempt(const struct sr_spawn_req *req, struct sr_child *child, int notify,
                                   char *msg, size_t msglen)
{
    static const char *const empty_env[] = { NULL };
    /* The child's stack: a region of this frame, which outlives the child's
     * use of it (it execs or is reaped before attempt returns) and which the
     * parent's own calls, all below this frame, never reach. No mapping to
     * make and unmake, and pages the caller's stack has usually touched
     * already, so no page faults either (each costs ~10 us on these VMs). */
    char stack[CHILD_STACK] __attribute__((aligned(64)));
    enum attempt_result result = FAILED;
    int sv[2] = { -1, -1 }, pidfd = -1, listener = -1;
    pid_t pid = -1;
    void *path_page = NULL;
    struct sync_msg m;
    int rc;

    child->unusable = 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        sr_fmt(msg, msglen, "socketpair: %s", strerror(errno));
        goto out;
    }
    if (!(path_page = secret_empty_path())) {
        sr_fmt(msg, msglen, "mmap: %s", strerror(errno));
        goto out;
    }
    struct child_args a = { req, sv[1], path_page, notify, getpid(), ignored_signals(), empty_env };
    /* No signal handler of the caller may run on the child's stack. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    /* No exit signal: a caller that ignores SIGCHLD or reaps with
     * waitpid(-1) must not take our child's status away (we wait with
     * __WALL and watch the pidfd). */
    pid = clone(child_main, stack + sizeof stack, CLONE_VM | CLONE_PIDFD, &a, &pidfd);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(sv[1]);
    sv[1] = -1;
    if (pid < 0) {
        sr_fmt(msg, msglen, "clone: %s", strerror(clone_errno));
        goto out;
    }

    rc = read_msg(sv[0], &m, 10000);
    if (rc != 1 || m.kind != MSG_READY) {
        explain(req, rc, &m, msg, msglen);
        goto out;
    }
    if (notify) {
        listener = (int)syscall(SYS_pidfd_getfd, pidfd, m.value, 0);
        if (listener < 0) {
            /* Kernel too old, ptrace refused by Yama or the container's
             * policy: violations will kill without a name (remembered for
             * later runs; a passing shortage such as EMFILE is not). */
            if (errno == ENOSYS || errno == EPERM || errno == EACCES) atomic_store(&notify_unavailable, 1);
            result = NO_LISTENER;
            goto out;
        }
        fcntl(listener, F_SETFD, FD_CLOEXEC);
        int cal = calibrate(listener, sv[0], &child->notif_next, &child->exec_ns);
        if (cal < 0) {
            sr_fmt(msg, msglen, "the filter's first notification did not come as expected");
            goto out;
        }
        if (cal == 0) {
            child->exec_ns = sr_now_ns();
            if (write(sv[0], "G", 1) != 1) {
                sr_fmt(msg, msglen, "sync: %s", strerror(errno));
                goto out;
            }
        }
    } else {
        child->exec_ns = sr_now_ns();           /* the child execs right after READY */
    }
    rc = read_msg(sv[0], &m, 10000);
    if (rc == 0) {                           /* exec succeeded: sync fd closed on exec */
        child->pid = pid;
        child->pidfd = pidfd;
        child->listener = listener;
        child->notify = listener >= 0;
        pid = -1; pidfd = -1; listener = -1;  /* the caller's now */
        result = STARTED;
        goto out;
    }
    if (rc == 1 && m.kind == MSG_FAIL && strcmp(m.step, "execveat") == 0) {
        if (m.err == ETXTBSY) result = TEXT_BUSY;
        /* The rest are the program's: not executable, not a valid ELF, too long arguments ... */
        child->unusable = m.err != ENOMEM && m.err != EAGAIN && m.err != EMFILE && m.err != ENFILE && m.err != EINTR;
    }
    explain(req, rc, &m, msg, msglen);
out:
    if (listener >= 0) close(listener);
    if (pid > 0) reap(pid, pidfd);
    else if (pidfd >= 0) close(pidfd);
    for (int i = 0; i < 2; i++) if (sv[i] >= 0) close(sv[i]);
    return result;
}

/* ETXTBSY: the kernel refuses to exec a file while any process holds it
 * open for writing. In a multithreaded caller (a JVM running several runs
 * at once) that process can be ours: while one thread writes a program
 * file, another thread's launch child (cloned, not yet past its
 * close_range) holds a copy of the write descriptor for a few microseconds,
 * and this run's exec fails. The child's copy goes as soon as that child
 * closes its descriptors or execs, so the attempt is made again after a
 * short back-off, 1, 2, 4 ... ms, for at most TEXT_BUSY_MAX_MS in all; a
 * file that stays open for writing longer is someone else's doing and is
 * reported as such. */
#define TEXT_BUSY_MAX_MS 200

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

int sr_spawn(const struct sr_spawn_req *req, struct sr_child *child, char *msg, size_t msglen)
{
    child->pid = -1; child->pidfd = -1; child->listener = -1;
    int notify = !atomic_load(&notify_unavailable);
    unsigned waited_ms = 0, delay_ms = 1;
    for (;;) {
        enum attempt_result rc = attempt(req, child, notify, msg, msglen);
        if (rc == NO_LISTENER && notify) { notify = 0; continue; }
        if (rc == STARTED) return 0;
        if (rc != TEXT_BUSY) return -1;
        if (waited_ms >= TEXT_BUSY_MAX_MS) {
            sr_fmt(msg, msglen, "the program file is open for writing by another process "
                   "(exec failed with ETXTBSY for %u ms): close it before running it", waited_ms);
            return -1;
        }
        unsigned d = delay_ms < TEXT_BUSY_MAX_MS - waited_ms ? delay_ms : TEXT_BUSY_MAX_MS - waited_ms;
        sleep_ms(d);
        waited_ms += d;
        if (delay_ms < 64) delay_ms *= 2;
    }
}
