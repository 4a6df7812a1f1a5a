/* The seccomp filters of the profiles, ready to load. */
#ifndef SR_POLICY_H
#define SR_POLICY_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sandboxrun.h"

/* The longest generated program plus the prefix, with room to grow; a
 * build whose programs do not fit fails (policy.c). Kept small: the filter
 * is built on the launch child's stack. */
#define SR_POLICY_MAX_INSNS 384
#define SR_POLICY_PREFIX_LEN 22

struct sr_policy {
    struct sock_filter insns[SR_POLICY_MAX_INSNS];
    unsigned short len;
};

/* Builds the filter of a profile for a program whose pid is self_pid and
 * whose launch passes the empty path at address exec_path.
 * notify: violations go to the supervisor (user notification) instead of
 * killing at once. mem_threshold > 0 (notify only, not strict): writable
 * mappings larger than it are shown to the supervisor first, so it can tell
 * an allocation that fails for lack of memory (see notify.c).
 * Runs in the child before exec: no allocation, no locks. */
int sr_policy_build(struct sr_policy *p, sr_profile profile, int notify, pid_t self_pid,
                    uint64_t exec_path, uint64_t mem_threshold);

/* The name of syscall nr of the ABI arch (AUDIT_ARCH_*), as "execve",
 * "i386:socketcall" or "x32:open"; "syscall 1234" when unknown. */
const char *sr_syscall_name(uint32_t arch, int nr, char *buf, size_t cap);

/* The profile to suggest for a call that was a violation under denied_under:
 * the narrowest wider profile under which this exact call (number, ABI and
 * arguments) would not be a violation, i.e. its filter allows it or answers
 * it with an error code itself (as compute answers file-system probes), or
 * NULL when none would. Found by running the wider profiles' own filters on
 * d. A call whose rule depends on a value known only at run time (the
 * program's pid, the launch path) never matches: no hint rather than a wrong
 * one. E.g. a thread's clone under compute: "threads"; a write under strict:
 * "compute"; a fork-style clone: NULL. */
const char *sr_policy_hint(sr_profile denied_under, const struct seccomp_data *d);

/* Runs a classic BPF program on d as the kernel would, for the instructions
 * libseccomp and the prefix emit (load a word of d, AND with a constant,
 * jumps on a constant, return a constant). 0 with the filter's answer in
 * *ret; -1 on any other instruction or a program that runs off its end. */
int sr_bpf_eval(const struct sock_filter *insns, size_t len, const struct seccomp_data *d, uint32_t *ret);

#endif
