/* The seccomp filters of the profiles, ready to load. */
#ifndef SR_POLICY_H
#define SR_POLICY_H

#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>
#include "sandboxrun.h"

#define SR_POLICY_MAX_INSNS 1024

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

/* The narrowest wider profile whose filter allows this very call, or NULL. */
struct seccomp_data;
const char *sr_policy_hint(sr_profile denied_under, const struct seccomp_data *d);

#endif
