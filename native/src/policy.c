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

#define FITS(p, m) _Static_assert(sizeof sr_bpf_##p##_##m / sizeof(struct sock_filter) + SR_POLICY_PREFIX_LEN <= \
                                  SR_POLICY_MAX_INSNS, "the " #p " filter outgrew SR_POLICY_MAX_INSNS")
FITS(strict, kill); FITS(strict, notify); FITS(compute, kill); FITS(compute, notify);
FITS(threads, kill); FITS(threads, notify);
#undef FITS

#define ARG_LO(i) ((uint32_t)offsetof(struct seccomp_data, args) + 8u * (i))
#define ARG_HI(i) (ARG_LO(i) + 4u)

/* The prefix: calls the supervisor must see before they run, whatever the
 * profile's own program says; everything else falls through to it.
 * - exit_group and exit: so the supervisor can read the program's peak
 *   memory while its address space still exists (wait4's ru_maxrss would
 *   also count the launcher's own, shared until exec), and check that no
 *   notification went missing before the program ends (notify.c);
 * - mmap(len > T, PROT_WRITE) and mremap(new_len > T): see notify.c. Never
 *   an mmap with MAP_HUGETLB, at any size: the supervisor lets what it is
 *   shown continue, and huge pages are the profile's to refuse.
 * Jumps are forward only, as BPF requires. */
static size_t put_prefix(struct sock_filter *f, uint64_t t)
{
    const uint32_t hi = (uint32_t)(t >> 32), lo = (uint32_t)t;
    enum { NOTIFY = 21, MAIN = 22 };
    _Static_assert(MAIN == SR_POLICY_PREFIX_LEN, "SR_POLICY_PREFIX_LEN is the prefix's length");
#define J(i, k, code, jt, jf) f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | (code) | BPF_K, k, (jt) - (i) - 1, (jf) - (i) - 1)
#define LD(i, off) f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off)
    LD(0, offsetof(struct seccomp_data, arch));
    J(1, AUDIT_ARCH_X86_64, BPF_JEQ, 2, MAIN);
    LD(2, offsetof(struct seccomp_data, nr));
    J(3, __NR_exit_group, BPF_JEQ, NOTIFY, 4);
    J(4, __NR_exit, BPF_JEQ, NOTIFY, 5);
    J(5, __NR_mmap, BPF_JEQ, 6, 15);
    LD(6, ARG_LO(3));                         /* mmap flags */
    J(7, MAP_HUGETLB, BPF_JSET, MAIN, 8);
    LD(8, ARG_LO(2));                         /* mmap prot */
    J(9, PROT_WRITE, BPF_JSET, 10, MAIN);
    LD(10, ARG_HI(1));                        /* mmap length */
    J(11, hi, BPF_JGT, NOTIFY, 12);
    J(12, hi, BPF_JEQ, 13, MAIN);
    LD(13, ARG_LO(1));
    J(14, lo, BPF_JGT, NOTIFY, MAIN);
    J(15, __NR_mremap, BPF_JEQ, 16, MAIN);    /* A still holds nr here */
    LD(16, ARG_HI(2));                        /* mremap new length */
    J(17, hi, BPF_JGT, NOTIFY, 18);
    J(18, hi, BPF_JEQ, 19, MAIN);
    LD(19, ARG_LO(2));
    J(20, lo, BPF_JGT, NOTIFY, MAIN);
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

int sr_bpf_eval(const struct sock_filter *insns, size_t len, const struct seccomp_data *d, uint32_t *ret)
{
    uint32_t A = 0;
    for (size_t pc = 0; pc < len; pc++) {
        const struct sock_filter *f = &insns[pc];
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k % 4 || f->k > sizeof *d - 4) return -1;
            memcpy(&A, (const char *)d + f->k, 4);
            break;
        case BPF_ALU | BPF_AND | BPF_K: A &= f->k; break;
        case BPF_JMP | BPF_JA: pc += f->k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += A == f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += A > f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += A >= f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (A & f->k) ? f->jt : f->jf; break;
        case BPF_RET | BPF_K: *ret = f->k; return 0;
        default: return -1;
        }
    }
    return -1;                                /* ran off the end: not a valid filter */
}

const char *sr_policy_hint(sr_profile denied_under, const struct seccomp_data *d)
{
    if ((unsigned)denied_under > SR_PROFILE_THREADS) return NULL;
    for (unsigned p = (unsigned)denied_under + 1; p <= SR_PROFILE_THREADS; p++) {
        const struct bpf_prog *k = &progs[p][0];
        uint32_t ret;
        if (sr_bpf_eval(k->insns, k->len, d, &ret) < 0) return NULL;
        uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
        if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_ERRNO) return sr_profile_name((sr_profile)p);
    }
    return NULL;
}
