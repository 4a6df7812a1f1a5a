/*
 * The syscall policy of each profile, as data. policy_gen.c turns these
 * tables into BPF with libseccomp at build time; POLICY.md explains every
 * line. Anything not listed here is a violation: the supervisor is notified,
 * kills the program and names the call (or, where user notification is
 * unavailable, the kernel kills the process).
 *
 * Placeholders patched by the launcher at run time (they cannot be known at
 * build time): SR_MAGIC_SELF_PID (the program's own pid, so kill/tgkill can
 * only reach itself) and SR_MAGIC_PATH (the address of the empty path the
 * launcher's own execveat passes: a page at a random address of the
 * launcher's, which the program cannot know, so it cannot pass the same
 * pointer with a path of its own in it).
 */
#ifndef SR_POLICY_RULES_H
#define SR_POLICY_RULES_H

#define SR_MAGIC_SELF_PID 0x5EC0FFEEu
#define SR_MAGIC_PATH_HI  0x5EC0A11Du
#define SR_MAGIC_PATH_LO  0x5EC0BEEFu
#define SR_MAGIC_PATH     (((unsigned long long)SR_MAGIC_PATH_HI << 32) | SR_MAGIC_PATH_LO)
/* The child's calibration call, notified before the program runs: kill(0, 0)
 * (process group 0), which no profile allows (only kill of the program's own
 * pid is) and which every container runtime's default filter lets through
 * to ours (a call the runtime refuses itself, such as an unimplemented one,
 * would never reach the supervisor). It is answered, never executed. */
#define SR_CALIBRATION_SYSCALL 62   /* __NR_kill on x86-64 */
#define SR_PROG_FD        100   /* above the program's RLIMIT_NOFILE: it can never make one */
#define SR_SYNC_FD        101
#define SR_PROGRAM_NOFILE 64

enum sr_rule_action { R_ALLOW, R_ERRNO };

/* One argument condition: arg[idx] == value, != value, < value, or & mask == value. */
struct sr_arg_cond { int idx; unsigned long long mask; unsigned long long value; int op; };
enum { C_EQ = 1, C_MASKED_EQ = 2, C_NE = 3, C_LT = 4 };

struct sr_rule {
    const char *syscall;
    enum sr_rule_action action;
    int err;                    /* for R_ERRNO */
    int ncond;
    struct sr_arg_cond cond[3];
};

#endif
