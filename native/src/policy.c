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

/* The prefix: calls the supervisor must see before they run, whatever the
 * profile's own program says; everything else falls through to it.
 * - exit_group and exit: so the supervisor can read the program's peak
 *   memory while its address space still exists (wait4's ru_maxrss would
 *   also count the launcher's own, shared until exec), and check that no
 *   notification went missing before the program ends (notify.c);
 * - mmap(len > T, PROT_WRITE) and mremap(new_len > T): see notify.c.
 * Jumps are forward only, as BPF requires. */
static size_t put_prefix(struct sock_filter *f, uint64_t t)
{
    const uint32_t hi = (uint32_t)(t >> 32), lo = (uint32_t)t;
    enum { NOTIFY = 19, MAIN = 20 };
#define J(i, k, code, jt, jf) f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | (code) | BPF_K, k, (jt) - (i) - 1, (jf) - (i) - 1)
#define LD(i, off) f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off)
    LD(0, offsetof(struct seccomp_data, arch));
    J(1, AUDIT_ARCH_X86_64, BPF_JEQ, 2, MAIN);
    LD(2, offsetof(struct seccomp_data, nr));
    J(3, __NR_exit_group, BPF_JEQ, NOTIFY, 4);
    J(4, __NR_exit, BPF_JEQ, NOTIFY, 5);
    J(5, __NR_mmap, BPF_JEQ, 6, 13);
    LD(6, ARG_LO(2));                         /* mmap prot */
    J(7, PROT_WRITE, BPF_JSET, 8, MAIN);
    LD(8, ARG_HI(1));                         /* mmap length */
    J(9, hi, BPF_JGT, NOTIFY, 10);
    J(10, hi, BPF_JEQ, 11, MAIN);
    LD(11, ARG_LO(1));
    J(12, lo, BPF_JGT, NOTIFY, MAIN);
    J(13, __NR_mremap, BPF_JEQ, 14, MAIN);    /* A still holds nr here */
    LD(14, ARG_HI(2));                        /* mremap new length */
    J(15, hi, BPF_JGT, NOTIFY, 16);
    J(16, hi, BPF_JEQ, 17, MAIN);
    LD(17, ARG_LO(2));
    J(18, lo, BPF_JGT, NOTIFY, MAIN);
    f[NOTIFY] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
#undef J
#undef LD
    return MAIN;
}

int sr_policy_build(struct sr_policy *p, sr_profile profile, int notify, pid_t self_pid,
                    uint64_t exec_path, uint64_t mem_threshold)
{
    if ((unsigned)profile > SR_PROFILE_THREADS) return -1;
    const struct bpf_prog *src = &progs[profile][notify ? 1 : 0];
    /* The prefix needs a listener. Under strict a mapping it shows the
     * supervisor is still a violation (notify.c). */
    size_t off = 0;
    if (notify && mem_threshold) off = put_prefix(p->insns, mem_threshold);
    if (off + src->len > SR_POLICY_MAX_INSNS) return -1;
    int path_hi = 0, path_lo = 0;
    for (size_t i = 0; i < src->len; i++) {
        struct sock_filter ins = src->insns[i];
        /* Comparisons against the placeholders become comparisons against the
         * real values (libseccomp compares the two halves of a 64-bit
         * argument separately; the pid's high half is a plain 0). */
        if (BPF_CLASS(ins.code) == BPF_JMP && BPF_SRC(ins.code) == BPF_K) {
            if (ins.k == SR_MAGIC_SELF_PID) ins.k = (uint32_t)self_pid;
            else if (ins.k == SR_MAGIC_PATH_HI) { ins.k = (uint32_t)(exec_path >> 32); path_hi++; }
            else if (ins.k == SR_MAGIC_PATH_LO) { ins.k = (uint32_t)exec_path; path_lo++; }
        }
        p->insns[off + i] = ins;
    }
    /* Without the pinned path the launch would either fail or be open to all. */
    if (!path_hi || !path_lo) return -1;
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

const char *sr_policy_hint(sr_profile denied_under, const struct seccomp_data *d)
{
    (void)denied_under; (void)d;
    return NULL;
}
