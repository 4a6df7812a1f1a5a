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

static void copy_step(char *dst, const char *src)
{
    size_t i = 0;
    for (; src[i] && i < sizeof(((struct sync_msg *)0)->step) - 1; i++) dst[i] = src[i];
    dst[i] = '\0';
}

static __attribute__((noreturn)) void child_fail(int sync_fd, const char *step, long err)
{
    struct sync_msg m = { MSG_FAIL, 0, (int)-err, "" };
    copy_step(m.step, step);
    sys3(SYS_write, sync_fd, &m, sizeof m);
    for (;;) sys1(SYS_exit_group, 127);
}

#define STEP(name, call) do { long rc_ = (call); if (rc_ < 0) child_fail(sync_fd, name, rc_); } while (0)

static void set_limit(int sync_fd, int res, uint64_t soft, uint64_t hard, const char *step)
{
    struct rlimit rl = { soft, hard };
    STEP(step, sys4(SYS_prlimit64, 0, res, &rl, 0));
}

static int child_main(void *argp)
{
    const struct child_args *a = argp;
    const struct sr_spawn_req *req = a->req;
    const sr_config *cfg = req->cfg;
    int sync_fd = a->sync_fd;

    /* setup_session: its own session and process group, no terminal */
    STEP("setsid", sys0(SYS_setsid));

    /* setup_cgroup: join the run's cgroup(s) while still privileged */
    for (int i = 0; i < 2; i++)
        if (req->cg && req->cg->procs_fd[i] >= 0)
            STEP("join cgroup", sys3(SYS_write, req->cg->procs_fd[i], "0", 1));

    /* setup_fds: 0, 1, 2 and the two launch descriptors; every other one
     * closed. Sources first go above anything they could collide with. */
#define ABOVE_TARGETS (SR_SYNC_FD + 1)
    int src[5] = { req->stdin_fd, req->stdout_w, req->stderr_w, req->prog_fd, sync_fd };
    int hi[5];
    for (int i = 0; i < 5; i++) {
        long fd = sys3(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, ABOVE_TARGETS);
        if (fd < 0) child_fail(sync_fd, "dup descriptor", fd);
        hi[i] = (int)fd;
    }
    sync_fd = hi[4];
    for (int i = 0; i < 3; i++) STEP("dup2 stdio", sys3(SYS_dup3, hi[i], i, 0));
    STEP("dup program fd", sys3(SYS_dup3, hi[3], SR_PROG_FD, O_CLOEXEC));
    STEP("dup sync fd", sys3(SYS_dup3, hi[4], SR_SYNC_FD, O_CLOEXEC));
    sync_fd = SR_SYNC_FD;
    if (sys3(SYS_close_range, 3, SR_PROG_FD - 1, 0) < 0 || sys3(SYS_close_range, SR_SYNC_FD + 1, ~0u, 0) < 0) {
        struct rlimit rl;
        sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &rl);
        for (long fd = 3; fd < (long)rl.rlim_cur && fd < (1 << 20); fd++)
            if (fd != SR_PROG_FD && fd != SR_SYNC_FD) sys1(SYS_close, fd);
    }

    /* setup_cwd: nothing of the launcher's working directory shows */
    STEP("chdir /", sys1(SYS_chdir, "/"));

    /* setup_rlimits: no core, no files written, few descriptors (all below
     * SR_PROG_FD, so no descriptor with that number can ever exist again),
     * nothing locked, and the CPU limit as a backstop to the supervisor. */
    uint64_t cpu_s = (cfg->cpu_ms + 999) / 1000 + 1;
    set_limit(sync_fd, RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    set_limit(sync_fd, RLIMIT_FSIZE, 0, 0, "RLIMIT_FSIZE");
    set_limit(sync_fd, RLIMIT_NOFILE, SR_PROGRAM_NOFILE, SR_PROGRAM_NOFILE, "RLIMIT_NOFILE");
    set_limit(sync_fd, RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
    set_limit(sync_fd, RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE");
    set_limit(sync_fd, RLIMIT_CPU, cpu_s, cpu_s + 1, "RLIMIT_CPU");
    /* Pending signals and POSIX timers are counted per user, and every run
     * is uid 65534: a run may not use up the others' share. */
    set_limit(sync_fd, RLIMIT_SIGPENDING, 128, 128, "RLIMIT_SIGPENDING");
    if (req->nproc_limit) set_limit(sync_fd, RLIMIT_NPROC, req->nproc_limit, req->nproc_limit, "RLIMIT_NPROC");

    /* setup_credentials: an unprivileged uid and gid, no supplementary groups */
    if (req->drop_privileges) {
        STEP("setgroups", sys2(SYS_setgroups, 0, 0));
        STEP("setresgid", sys3(SYS_setresgid, cfg->sandbox_gid, cfg->sandbox_gid, cfg->sandbox_gid));
        STEP("setresuid", sys3(SYS_setresuid, cfg->sandbox_uid, cfg->sandbox_uid, cfg->sandbox_uid));
        unsigned r, e, s;
        sys3(SYS_getresuid, &r, &e, &s);
        if (r != cfg->sandbox_uid || e != cfg->sandbox_uid || s != cfg->sandbox_uid)
            child_fail(sync_fd, "uid did not change", -EPERM);
    }
    STEP("PR_SET_NO_NEW_PRIVS", sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    /* setup_parent_death: die with the launcher, even if it already died.
     * After the uid change: changing credentials clears the setting. */
    STEP("PR_SET_PDEATHSIG", sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL));
    if (sys0(SYS_getppid) != a->parent) child_fail(sync_fd, "launcher gone", -ESRCH);

    /* setup_signals: default dispositions, nothing blocked. exec resets
     * handled signals itself; ignored ones would survive it. */
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } sa = { SIG_DFL, 0, 0, 0 };
    for (int sig = 1; sig <= 64; sig++)
        if ((a->ignored >> (sig - 1)) & 1) sys4(SYS_rt_sigaction, sig, &sa, 0, 8);
    uint64_t empty = 0;
    STEP("sigprocmask", sys4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, 8));

    /* setup_seccomp: the last step; from here on only what the profile
     * allows (read, write, exit and the one execveat) is possible. */
    struct sr_policy pol;
    long self = sys0(SYS_getpid);
    if (sr_policy_build(&pol, cfg->profile, a->notify, (pid_t)self, (uint64_t)(uintptr_t)a->exec_path,
                        req->mem_threshold) < 0)
        child_fail(sync_fd, "build filter", -EINVAL);
    struct sock_fprog prog = { pol.len, pol.insns };
    long listener = sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                         a->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
    if (listener < 0) child_fail(sync_fd, "load seccomp filter", listener);

    struct sync_msg m = { MSG_READY, a->notify ? (int)listener : -1, 0, "" };
    sys3(SYS_write, sync_fd, &m, sizeof m);
    /* setup_calibration: one call no profile allows, answered by the
     * supervisor before the program exists: it learns where the ids of the
     * filter's notifications start (see notify.c). */
    if (a->notify) {
        long cal = sys2(SR_CALIBRATION_SYSCALL, 0, 0);
        struct sync_msg c = { MSG_CALIBRATED, (int)cal, 0, "" };
        sys3(SYS_write, sync_fd, &c, sizeof c);
    }
    char go = 0;
    if (sys3(SYS_read, sync_fd, &go, 1) != 1 || go != 'G') for (;;) sys1(SYS_exit_group, 126);
    /* The listener is O_CLOEXEC: the program never sees it. */
    long rc = sys5(SYS_execveat, SR_PROG_FD, a->exec_path, cfg->argv, a->envp, AT_EMPTY_PATH);
    child_fail(sync_fd, "execveat", rc);
}

/* ---- the parent ---------------------------------------------------------- */

/* The signals the process ignores, from one read of /proc/self/status
 * (dispositions are process-wide): the child resets just those. All of them
 * when /proc cannot tell. */
static uint64_t ignored_signals(void)
{
    char buf[4096];
    if (sr_read_small("/proc/self/status", buf, sizeof buf) > 0) {
        const char *p = strstr(buf, "\nSigIgn:");
        if (p) return strtoull(p + 8, NULL, 16) & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
    }
    return ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
}

/* A read-only page of zeros (so an empty string) at a random address: the
 * launch's path argument, pinned in the filter. The program is a new image
 * that never saw it; guessing it takes one try in 2^35, and a miss is a
 * violation. */
static void *secret_empty_path(void)
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
 * runs) and answers it with ENOSYS, until the child says it is past it.
 * *next is then the id the next notification must have, or 0 when the
 * container runtime's own filter refused the call before ours saw it (the
 * first notification then sets the count). Returns 0, or -1 when the child
 * went silent. */
static int calibrate(int listener, int sync_fd, uint64_t *next)
{
    *next = 0;
    for (;;) {
        struct pollfd p[2] = { { listener, POLLIN, 0 }, { sync_fd, POLLIN, 0 } };
        int n = poll(p, 2, 10000);
        if (n < 0 && errno == EINTR) continue;      /* a caller's signal (a JVM has them) */
        if (n <= 0) return -1;
        if (p[0].revents & POLLIN) {
            struct seccomp_notif req;
            memset(&req, 0, sizeof req);
            int got;
            do got = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req); while (got < 0 && errno == EINTR);
            if (got == 0) {
                if (req.data.nr != SR_CALIBRATION_SYSCALL || req.data.args[0] != 0) return -1;
                struct seccomp_notif_resp resp = { req.id, 0, -ENOSYS, 0 };
                ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
                *next = req.id + 1;
            }
            continue;
        }
        struct sync_msg m;
        if (read_msg(sync_fd, &m, 0) != 1 || m.kind != MSG_CALIBRATED) return -1;
        return 0;
    }
}

static void reap(pid_t pid, int pidfd)
{
    if (pidfd >= 0) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    else kill(pid, SIGKILL);
    while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {}
    if (pidfd >= 0) close(pidfd);
}

/* One attempt. Returns 0 started, -1 failed (msg), 1 notification fd refused:
 * try again with killing filters. */
static int attempt(const struct sr_spawn_req *req, struct sr_child *child, int notify, char *msg, size_t msglen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        sr_fmt(msg, msglen, "socketpair: %s", strerror(errno));
        return -1;
    }
    static const char *const empty_env[] = { NULL };
    void *path_page = secret_empty_path();
    if (!path_page) {
        sr_fmt(msg, msglen, "mmap: %s", strerror(errno));
        close(sv[0]); close(sv[1]);
        return -1;
    }
    struct child_args a = { req, sv[1], path_page, notify, getpid(), ignored_signals(), empty_env };

    /* A private stack for the child; the caller's stays untouched. */
    size_t stack_size = 256 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        sr_fmt(msg, msglen, "mmap child stack: %s", strerror(errno));
        munmap(path_page, 4096);
        close(sv[0]); close(sv[1]);
        return -1;
    }
    /* No signal handler of the caller may run on the child's stack. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pidfd = -1;
    /* No exit signal: a caller that ignores SIGCHLD or reaps with
     * waitpid(-1) must not take our child's status away (we wait with
     * __WALL and watch the pidfd). */
    pid_t pid = clone(child_main, (char *)stack + stack_size, CLONE_VM | CLONE_PIDFD, &a, &pidfd);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(sv[1]);
    if (pid < 0) {
        munmap(stack, stack_size);
        munmap(path_page, 4096);
        close(sv[0]);
        sr_fmt(msg, msglen, "clone: %s", strerror(clone_errno));
        return -1;
    }

    int result = -1;
    struct sync_msg m;
    int rc = read_msg(sv[0], &m, 10000);
    if (rc == 1 && m.kind == MSG_READY) {
        int listener = -1;
        if (notify) {
            listener = (int)syscall(SYS_pidfd_getfd, pidfd, m.value, 0);
            if (listener < 0) {
                /* Kernel too old, ptrace refused by Yama or the container's
                 * policy: violations will kill without a name (remembered
                 * for later runs; a passing shortage such as EMFILE is not). */
                if (errno == ENOSYS || errno == EPERM || errno == EACCES) atomic_store(&notify_unavailable, 1);
                result = 1;
                goto fail;
            }
            fcntl(listener, F_SETFD, FD_CLOEXEC);
            if (calibrate(listener, sv[0], &child->notif_next) < 0) {
                close(listener);
                sr_fmt(msg, msglen, "the filter's first notification did not come as expected");
                goto fail;
            }
        }
        child->exec_ns = sr_now_ns();
        if (write(sv[0], "G", 1) != 1) { if (listener >= 0) close(listener); sr_fmt(msg, msglen, "sync: %s", strerror(errno)); goto fail; }
        rc = read_msg(sv[0], &m, 10000);
        if (rc == 0) {                           /* exec succeeded: sync fd closed on exec */
            child->pid = pid;
            child->pidfd = pidfd;
            child->listener = listener;
            child->notify = listener >= 0;
            close(sv[0]);
            munmap(stack, stack_size);
            munmap(path_page, 4096);
            return 0;
        }
        if (listener >= 0) close(listener);
    }
    if (rc == 1 && m.kind == MSG_FAIL) {
        if (strcmp(m.step, "execveat") == 0 && m.err == EACCES)
            sr_fmt(msg, msglen, "the program cannot be executed by uid %u: make it world-executable (chmod a+rx)",
                   req->drop_privileges ? req->cfg->sandbox_uid : (unsigned)getuid());
        else
            sr_fmt(msg, msglen, "setting up the sandbox failed at %s: %s", m.step, strerror(m.err));
    } else if (rc == -ETIMEDOUT) {
        sr_fmt(msg, msglen, "setting up the sandbox timed out");
    } else if (rc != 1) {
        sr_fmt(msg, msglen, "the sandbox set-up ended without a word (%s)", rc == 0 ? "child died" : strerror(-rc));
    }
fail:
    close(sv[0]);
    reap(pid, pidfd);
    munmap(stack, stack_size);
    munmap(path_page, 4096);
    return result;
}

int sr_spawn(const struct sr_spawn_req *req, struct sr_child *child, char *msg, size_t msglen)
{
    child->pid = -1; child->pidfd = -1; child->listener = -1;
    int notify = !atomic_load(&notify_unavailable);
    int rc = attempt(req, child, notify, msg, msglen);
    if (rc == 1) rc = attempt(req, child, 0, msg, msglen);
    return rc == 0 ? 0 : -1;
}
