/*
 * Build-time tool: compiles the profiles of policy_rules.h into seccomp BPF
 * with libseccomp and prints them as a C header (policy_bpf.h), together with
 * the syscall name tables the supervisor uses to name a violation.
 *
 * Why at build time: building a filter costs little, but linking libseccomp
 * (and glibc) into the launcher triples its start-up; the raw programs loaded
 * with seccomp(2) keep the launcher a small static musl binary.
 *
 * Each profile is emitted twice: with violations sent to the supervisor
 * (SCMP_ACT_NOTIFY, so it can name the call) and with violations killing the
 * process (SCMP_ACT_KILL_PROCESS, for kernels or containers where the
 * supervisor cannot take the notification descriptor).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policy_rules.h"

#define A(name) { #name, R_ALLOW, 0, 0, {{0}} }
#define E(name, e) { #name, R_ERRNO, e, 0, {{0}} }
#define A1(name, i, v) { #name, R_ALLOW, 0, 1, {{ i, 0, v, C_EQ }} }
#define A2(name, i, v, j, w) { #name, R_ALLOW, 0, 2, {{ i, 0, v, C_EQ }, { j, 0, w, C_EQ }} }
#define AM(name, i, m, v) { #name, R_ALLOW, 0, 1, {{ i, m, v, C_MASKED_EQ }} }
#define EN(name, e, i, v) { #name, R_ERRNO, e, 1, {{ i, 0, v, C_NE }} }
#define EM(name, e, i, m, v) { #name, R_ERRNO, e, 1, {{ i, m, v, C_MASKED_EQ }} }
#define END { NULL, 0, 0, 0, {{0}} }

/* futex(addr, op): the command without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. */
#define FUTEX(cmd) AM(futex, 1, 0x7f, cmd)

/* Open flags that would create, truncate or write: never a harmless probe. */
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE)

/* The one exec the launcher itself makes: through the descriptor above the
 * program's descriptor limit, with the empty path at the launcher's secret
 * address. After it, that descriptor is closed (O_CLOEXEC) and cannot be made
 * again; and the path pointer is pinned because an absolute path would make
 * the kernel ignore the descriptor altogether. */
#define LAUNCH_EXEC { "execveat", R_ALLOW, 0, 3, {{ 0, 0, SR_PROG_FD, C_EQ }, \
                      { 1, 0, SR_MAGIC_PATH, C_EQ }, { 4, 0, AT_EMPTY_PATH, C_EQ }} }

/* strict: what seccomp mode 1 allows, and nothing more. */
static const struct sr_rule strict_rules[] = {
    A(read), A(write), A(exit), A(exit_group), A(rt_sigreturn),
    LAUNCH_EXEC,
    END
};

/* compute: ordinary one-threaded static programs (glibc, musl, C++, Rust). */
#define COMPUTE_RULES \
    /* I/O on the descriptors it has (0, 1, 2 and what it derives from them) */ \
    A(read), A(write), A(readv), A(writev), A(pread64), A(preadv), A(preadv2), \
    A(lseek), A(close), A(fstat), A(dup), A(dup2), A(dup3), A(pipe), A(pipe2), \
    A(poll), A(ppoll), A(select), A(pselect6), A(fsync), A(fdatasync), \
    A1(fcntl, 1, F_DUPFD), A1(fcntl, 1, F_DUPFD_CLOEXEC), A1(fcntl, 1, F_GETFD), \
    A1(fcntl, 1, F_SETFD), A1(fcntl, 1, F_GETFL), A1(fcntl, 1, F_SETFL), \
    A1(fcntl, 1, F_GETPIPE_SZ), \
    E(ioctl, ENOTTY),                       /* isatty(): not a terminal */ \
    /* its own memory */ \
    /* MAP_HUGETLB pages are outside both the memory cgroup and VmRSS, and \
     * come from a pool the whole machine shares: refused */ \
    A(brk), AM(mmap, 3, MAP_HUGETLB, 0), EM(mmap, EPERM, 3, MAP_HUGETLB, MAP_HUGETLB), \
    A(munmap), A(mremap), A(mprotect), A(madvise), A(msync), \
    /* its own signals, and signals to itself only */ \
    A(rt_sigaction), A(rt_sigprocmask), A(rt_sigreturn), A(rt_sigpending), \
    A(rt_sigsuspend), A(rt_sigtimedwait), A(sigaltstack), A(pause), \
    /* To itself only, and no real-time signal: those queue, and queued \
     * signals count against a quota all runs (uid 65534) share */ \
    { "kill", R_ALLOW, 0, 2, {{ 0, 0, SR_MAGIC_SELF_PID, C_EQ }, { 1, 0, 32, C_LT }} }, \
    { "tgkill", R_ALLOW, 0, 2, {{ 0, 0, SR_MAGIC_SELF_PID, C_EQ }, { 2, 0, 32, C_LT }} }, \
    A(alarm), A(setitimer), A(getitimer),                 /* one timer each, SIGALRM */ \
    /* time */ \
    /* The fixed clocks (ids 0-15) only: a negative id names another \
     * process's CPU clock, which would tell which pids exist and what \
     * they do */ \
    AM(clock_gettime, 0, 0xfffffff0u, 0), AM(clock_getres, 0, 0xfffffff0u, 0), \
    AM(clock_nanosleep, 0, 0xfffffff0u, 0), A(gettimeofday), A(time), A(nanosleep), \
    /* questions about itself */ \
    A(getpid), A(gettid), A(getppid), A(getuid), A(geteuid), A(getgid), A(getegid), \
    A(getgroups), A(getresuid), A(getresgid), A(getpgrp), A1(getpgid, 0, 0), A1(getsid, 0, 0), \
    A(uname), A(getrandom), A(sysinfo), A(getrusage), A(times), A(getcpu), A(sched_yield), \
    A1(sched_getaffinity, 0, 0), EN(sched_getaffinity, EPERM, 0, 0), \
    /* its own limits, read or changed (a contest program raising its soft \
     * stack limit): every hard limit is one the launcher set, and raising a \
     * hard limit needs CAP_SYS_RESOURCE, which the program never has. Other \
     * processes' limits stay out of reach. */ \
    A(getrlimit), A(setrlimit), A1(prlimit64, 0, 0), A1(prlimit64, 0, SR_MAGIC_SELF_PID), \
    A(getcwd), A(umask), \
    /* start-up of glibc, musl and Rust */ \
    A(set_tid_address), A(set_robust_list), A(rseq), A(arch_prctl), \
    /* futex without the priority-inheritance operations, which look their \
     * owner up by pid (another way to list processes) */ \
    FUTEX(0), FUTEX(1), FUTEX(3), FUTEX(4), FUTEX(5), FUTEX(9), FUTEX(10), \
    A1(prctl, 0, PR_SET_NAME), A1(prctl, 0, PR_GET_NAME), A1(prctl, 0, PR_GET_DUMPABLE), \
    A1(prctl, 0, 0x53564d41 /* PR_SET_VMA, glibc >= 2.38 names its mappings */), \
    A1(prctl, 0, PR_GET_NO_NEW_PRIVS), A1(prctl, 0, PR_GET_SECCOMP), \
    A(restart_syscall), A(exit), A(exit_group), \
    /* harmless probes: they fail, the runtime goes on */ \
    EM(open, EACCES, 1, WRITE_FLAGS, 0), EM(openat, EACCES, 2, WRITE_FLAGS, 0), \
    E(openat2, ENOSYS), \
    E(stat, EACCES), E(lstat, EACCES), E(newfstatat, EACCES), E(statx, ENOSYS), \
    E(access, EACCES), E(faccessat, EACCES), E(faccessat2, EACCES), \
    E(readlink, EACCES), E(readlinkat, EACCES), E(chdir, EACCES), \
    E(clone3, ENOSYS),                      /* glibc falls back to clone, which we can inspect */ \
    E(wait4, ECHILD), E(waitid, ECHILD), \
    E(sched_getparam, EPERM), E(sched_getscheduler, EPERM), \
    E(membarrier, ENOSYS), E(getpriority, EPERM), \
    LAUNCH_EXEC

static const struct sr_rule compute_rules[] = { COMPUTE_RULES, END };

/* Flags glibc, musl and Rust pass to clone for a thread. A thread shares the
 * address space, files and signal handlers; nothing else may vary (no new
 * namespaces, no CLONE_PARENT, no CLONE_PIDFD, no ptrace flags). */
#define THREAD_REQUIRED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
#define THREAD_OPTIONAL (CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED)

static const struct sr_rule threads_rules[] = {
    COMPUTE_RULES,
    /* clone(flags): exactly the thread flags, any subset of the optional ones.
     * Expressed as: flags & ~OPTIONAL == REQUIRED. */
    AM(clone, 0, ~(unsigned long long)THREAD_OPTIONAL, THREAD_REQUIRED),
    A(futex_waitv),
    END
};

static const char *const profile_names[] = { "strict", "compute", "threads" };
static const struct sr_rule *const profile_rules[] = { strict_rules, compute_rules, threads_rules };

static void die(const char *what, const char *detail, int rc)
{
    fprintf(stderr, "policy_gen: %s %s: %s\n", what, detail ? detail : "", strerror(rc < 0 ? -rc : rc));
    exit(1);
}

static scmp_filter_ctx build(const struct sr_rule *rules, uint32_t violation)
{
    scmp_filter_ctx ctx = seccomp_init(violation);
    if (!ctx) die("seccomp_init", NULL, ENOMEM);
    /* Calls from any other ABI (int 0x80, x32) are violations too. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, violation);
    if (rc) die("badarch", NULL, rc);
    /* A binary tree over call numbers: a handful of comparisons per call
     * instead of a walk down the whole list (the write storm pays it 200,000
     * times). */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc) die("optimize", NULL, rc);
    for (const struct sr_rule *r = rules; r->syscall; r++) {
        int nr = seccomp_syscall_resolve_name(r->syscall);
        if (nr == __NR_SCMP_ERROR) die("unknown syscall", r->syscall, EINVAL);
        uint32_t action = r->action == R_ALLOW ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(r->err);
        struct scmp_arg_cmp cmp[3];
        for (int i = 0; i < r->ncond; i++) {
            const struct sr_arg_cond *c = &r->cond[i];
            if (c->op == C_EQ)
                cmp[i] = (struct scmp_arg_cmp){ c->idx, SCMP_CMP_EQ, c->value, 0 };
            else if (c->op == C_NE)
                cmp[i] = (struct scmp_arg_cmp){ c->idx, SCMP_CMP_NE, c->value, 0 };
            else if (c->op == C_LT)
                cmp[i] = (struct scmp_arg_cmp){ c->idx, SCMP_CMP_LT, c->value, 0 };
            else
                cmp[i] = (struct scmp_arg_cmp){ c->idx, SCMP_CMP_MASKED_EQ, c->mask, c->value };
        }
        rc = seccomp_rule_add_exact_array(ctx, action, nr, r->ncond, cmp);
        if (rc) die("rule", r->syscall, rc);
    }
    return ctx;
}

static void emit(const char *profile, const char *mode, scmp_filter_ctx ctx)
{
    char path[] = "/tmp/sr-bpf-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) die("mkstemp", path, errno);
    unlink(path);
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc) die("export", profile, rc);
    off_t len = lseek(fd, 0, SEEK_END);
    if (len <= 0 || len % 8) die("export size", profile, EINVAL);
    unsigned char *buf = malloc(len);
    if (!buf || pread(fd, buf, len, 0) != len) die("read back", profile, errno);
    close(fd);
    printf("static const struct sock_filter sr_bpf_%s_%s[] = {\n", profile, mode);
    for (off_t i = 0; i < len; i += 8) {
        unsigned short code; unsigned char jt, jf; unsigned int k;
        memcpy(&code, buf + i, 2); jt = buf[i + 2]; jf = buf[i + 3]; memcpy(&k, buf + i + 4, 4);
        printf("    { 0x%04x, %u, %u, 0x%08x },\n", code, jt, jf, k);
    }
    printf("};\n\n");
    free(buf);
}

static void emit_names(const char *table, uint32_t arch, int max)
{
    printf("static const char *const %s[%d] = {\n", table, max);
    for (int nr = 0; nr < max; nr++) {
        char *name = seccomp_syscall_resolve_num_arch(arch, nr);
        if (name) printf("    [%d] = \"%s\",\n", nr, name);
        free(name);
    }
    printf("};\n\n");
}

int main(void)
{
    printf("/* Generated by policy_gen from policy_rules.h with libseccomp %u.%u.%u. Do not edit. */\n",
           seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
    printf("#include <linux/filter.h>\n\n");
    for (int p = 0; p < 3; p++) {
        scmp_filter_ctx n = build(profile_rules[p], SCMP_ACT_NOTIFY);
        emit(profile_names[p], "notify", n);
        seccomp_release(n);
        scmp_filter_ctx k = build(profile_rules[p], SCMP_ACT_KILL_PROCESS);
        emit(profile_names[p], "kill", k);
        seccomp_release(k);
    }
    printf("#define SR_BPF(p, m) { sr_bpf_##p##_##m, sizeof(sr_bpf_##p##_##m) / sizeof(struct sock_filter) }\n\n");
    emit_names("sr_syscall_names_x86_64", SCMP_ARCH_X86_64, 512);
    emit_names("sr_syscall_names_i386", SCMP_ARCH_X86, 512);
    emit_names("sr_syscall_names_x32", SCMP_ARCH_X32, 1024);
    return 0;
}
