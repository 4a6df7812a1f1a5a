#include "policy.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "policy_bpf.h"
#include "policy_rules.h"
#include "util.h"

struct bpf_prog { const struct sock_filter *insns; size_t len; };

static const struct bpf_prog progs[3][2] = {
    [SR_PROFILE_STRICT] = { SR_BPF(strict, kill), SR_BPF(strict, notify) },
    [SR_PROFILE_COMPUTE] = { SR_BPF(compute, kill), SR_BPF(compute, notify) },
    [SR_PROFILE_THREADS] = { SR_BPF(threads, kill), SR_BPF(threads, notify) },
};

#define ARG_LO(i) ((uint32_t)offsetof(struct seccomp_data, args) + 8u * (i))
#define ARG_HI(i) (ARG_LO(i) + 4u)

/* The memory prefix: mmap(len > T, PROT_WRITE) and mremap(new_len > T) go to
 * the supervisor before the profile's own program runs; everything else falls
 * through to it. Jumps are forward only, as BPF requires; offsets are counted
 * to the first instruction after the prefix (MAIN) or to the final return. */
static size_t put_prefix(struct sock_filter *f, uint64_t t)
{
    const uint32_t hi = (uint32_t)(t >> 32), lo = (uint32_t)t;
    enum { NOTIFY = 17, MAIN = 18 };
#define J(i, k, code, jt, jf) f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | (code) | BPF_K, k, (jt) - (i) - 1, (jf) - (i) - 1)
#define LD(i, off) f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off)
    LD(0, offsetof(struct seccomp_data, arch));
    J(1, AUDIT_ARCH_X86_64, BPF_JEQ, 2, MAIN);
    LD(2, offsetof(struct seccomp_data, nr));
    J(3, __NR_mmap, BPF_JEQ, 4, 11);
    LD(4, ARG_LO(2));                         /* mmap prot */
    J(5, PROT_WRITE, BPF_JSET, 6, MAIN);
    LD(6, ARG_HI(1));                         /* mmap length */
    J(7, hi, BPF_JGT, NOTIFY, 8);
    J(8, hi, BPF_JEQ, 9, MAIN);
    LD(9, ARG_LO(1));
    J(10, lo, BPF_JGT, NOTIFY, MAIN);
    J(11, __NR_mremap, BPF_JEQ, 12, MAIN);    /* A still holds nr here */
    LD(12, ARG_HI(2));                        /* mremap new length */
    J(13, hi, BPF_JGT, NOTIFY, 14);
    J(14, hi, BPF_JEQ, 15, MAIN);
    LD(15, ARG_LO(2));
    J(16, lo, BPF_JGT, NOTIFY, MAIN);
    f[NOTIFY] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
#undef J
#undef LD
    return MAIN;
}

int sr_policy_build(struct sr_policy *p, sr_profile profile, int notify, pid_t self_pid,
                    uint64_t mem_threshold)
{
    if ((unsigned)profile > SR_PROFILE_THREADS) return -1;
    const struct bpf_prog *src = &progs[profile][notify ? 1 : 0];
    /* The prefix needs a listener, and strict allows no mapping at all. */
    size_t off = 0;
    if (notify && mem_threshold && profile != SR_PROFILE_STRICT) off = put_prefix(p->insns, mem_threshold);
    if (off + src->len > SR_POLICY_MAX_INSNS) return -1;
    for (size_t i = 0; i < src->len; i++) {
        struct sock_filter ins = src->insns[i];
        /* Comparisons against the placeholder become comparisons against the
         * program's own pid (libseccomp emits the high word as a separate 0). */
        if (BPF_CLASS(ins.code) == BPF_JMP && ins.k == SR_MAGIC_SELF_PID) ins.k = (uint32_t)self_pid;
        p->insns[off + i] = ins;
    }
    p->len = (unsigned short)(off + src->len);
    return 0;
}

const char *sr_syscall_name(uint32_t arch, int nr, char *buf, size_t cap)
{
    const char *name = NULL, *abi = "";
    if (arch == AUDIT_ARCH_X86_64 && nr >= 0 && (nr & 0x40000000)) {
        int x = nr & ~0x40000000;
        abi = "x32:";
        if (x < 1024) name = sr_syscall_names_x32[x];
        if (!name && x < 512) name = sr_syscall_names_x86_64[x];
    } else if (arch == AUDIT_ARCH_X86_64) {
        if (nr >= 0 && nr < 512) name = sr_syscall_names_x86_64[nr];
    } else if (arch == AUDIT_ARCH_I386) {
        abi = "i386:";
        if (nr >= 0 && nr < 512) name = sr_syscall_names_i386[nr];
    } else {
        abi = "foreign-abi:";
    }
    if (name) return sr_fmt(buf, cap, "%s%s", abi, name);
    return sr_fmt(buf, cap, "%ssyscall %d", abi, nr);
}
