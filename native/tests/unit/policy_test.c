/*
 * The filters as the kernel would run them (sr_bpf_eval on the programs
 * sr_policy_build loads): the memory prefix, the rlimit rules, and the
 * violation hint (sr_policy_hint).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "policy.h"
#include "unit.h"

#define SELF 4321
#define EXEC_PATH 0x7f1234567000ull
#define THRESHOLD (16ull << 20)

static struct seccomp_data call(int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
    d.args[0] = a0; d.args[1] = a1; d.args[2] = a2; d.args[3] = a3; d.args[4] = a4;
    return d;
}

/* The answer of profile's filter as the launcher loads it (with notification). */
static uint32_t verdict(sr_profile profile, struct seccomp_data d)
{
    static struct sr_policy p;
    uint32_t ret = 0xdeadbeef;
    if (sr_policy_build(&p, profile, 1, SELF, EXEC_PATH, THRESHOLD) < 0) return 0xdeadbeef;
    if (sr_bpf_eval(p.insns, p.len, &d, &ret) < 0) return 0xdeadbeef;
    return ret;
}

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
                      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static void memory_prefix(void)
{
    const uint64_t huge = 29ull << 30;
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    /* Huge pages never go to the supervisor (which would let them go on):
     * the profile's own rule refuses them, at any size. */
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mmap, 0, huge, PROT_READ | PROT_WRITE, anon | MAP_HUGETLB, 0)) == ERRNO(EPERM),
          "a 29 GB MAP_HUGETLB mapping under compute must fail with EPERM");
    CHECK(verdict(SR_PROFILE_THREADS, call(__NR_mmap, 0, huge, PROT_READ | PROT_WRITE, anon | MAP_HUGETLB, 0)) == ERRNO(EPERM),
          "a 29 GB MAP_HUGETLB mapping under threads must fail with EPERM");
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mmap, 0, 1 << 21, PROT_READ | PROT_WRITE, anon | MAP_HUGETLB, 0)) == ERRNO(EPERM),
          "a small MAP_HUGETLB mapping under compute must fail with EPERM");
    CHECK(verdict(SR_PROFILE_STRICT, call(__NR_mmap, 0, huge, PROT_READ | PROT_WRITE, anon | MAP_HUGETLB, 0)) == SECCOMP_RET_USER_NOTIF,
          "mmap under strict is a violation");
    /* The rest of the prefix still works. */
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mmap, 0, huge, PROT_READ | PROT_WRITE, anon, 0)) == SECCOMP_RET_USER_NOTIF,
          "a writable mapping above the threshold goes to the supervisor");
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mmap, 0, 1 << 20, PROT_READ | PROT_WRITE, anon, 0)) == SECCOMP_RET_ALLOW,
          "a small mapping is allowed");
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mmap, 0, huge, PROT_NONE, anon, 0)) == SECCOMP_RET_ALLOW,
          "a large reservation without PROT_WRITE is allowed");
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_mremap, 0, 1 << 20, huge, 0, 0)) == SECCOMP_RET_USER_NOTIF,
          "mremap above the threshold goes to the supervisor");
    CHECK(verdict(SR_PROFILE_COMPUTE, call(__NR_exit_group, 0, 0, 0, 0, 0)) == SECCOMP_RET_USER_NOTIF,
          "exit_group goes to the supervisor");
}

static void rlimits(void)
{
    struct rlimit rl;
    uint64_t p = (uint64_t)(uintptr_t)&rl;
    for (int prof = SR_PROFILE_COMPUTE; prof <= SR_PROFILE_THREADS; prof++) {
        CHECK(verdict(prof, call(__NR_setrlimit, RLIMIT_STACK, p, 0, 0, 0)) == SECCOMP_RET_ALLOW, "setrlimit (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, 0, RLIMIT_STACK, p, p, 0)) == SECCOMP_RET_ALLOW, "prlimit64(0, new, old) (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, SELF, RLIMIT_STACK, p, 0, 0)) == SECCOMP_RET_ALLOW, "prlimit64(self, new) (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, 0, RLIMIT_CPU, 0, p, 0)) == SECCOMP_RET_ALLOW, "prlimit64(0, NULL, old) (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, 1, RLIMIT_STACK, p, 0, 0)) == SECCOMP_RET_USER_NOTIF, "prlimit64(1) is a violation (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, SELF + 1, RLIMIT_STACK, 0, p, 0)) == SECCOMP_RET_USER_NOTIF,
              "prlimit64(another pid) is a violation (%d)", prof);
        CHECK(verdict(prof, call(__NR_prlimit64, (1ull << 32) | SELF, RLIMIT_STACK, p, 0, 0)) == SECCOMP_RET_USER_NOTIF,
              "prlimit64 with a high half in the pid is a violation (%d)", prof);
    }
    CHECK(verdict(SR_PROFILE_STRICT, call(__NR_setrlimit, RLIMIT_STACK, p, 0, 0, 0)) == SECCOMP_RET_USER_NOTIF, "setrlimit under strict");
    CHECK(verdict(SR_PROFILE_STRICT, call(__NR_prlimit64, 0, RLIMIT_STACK, p, 0, 0)) == SECCOMP_RET_USER_NOTIF, "prlimit64 under strict");
}

static void hints(void)
{
    struct seccomp_data thread = call(__NR_clone, THREAD_FLAGS, 0x10000, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &thread), "threads");
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &thread), "threads");
    CHECK_STR(sr_policy_hint(SR_PROFILE_THREADS, &thread), NULL);                    /* nothing wider */
    struct seccomp_data fork_clone = call(__NR_clone, SIGCHLD, 0, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &fork_clone), NULL);
    struct seccomp_data vfork_clone = call(__NR_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &vfork_clone), NULL);
    struct seccomp_data new_ns = call(__NR_clone, THREAD_FLAGS | CLONE_NEWUSER, 0, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &new_ns), NULL);
    struct seccomp_data write_open = call(__NR_openat, (uint64_t)AT_FDCWD, 0x1000, O_WRONLY | O_CREAT, 0644, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &write_open), NULL);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &write_open), NULL);
    struct seccomp_data read_open = call(__NR_openat, (uint64_t)AT_FDCWD, 0x1000, O_RDONLY, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &read_open), "compute");             /* answered EACCES there */
    struct seccomp_data wr = call(__NR_write, 1, 0x1000, 5, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &wr), "compute");   /* only wider profiles are asked */
    struct seccomp_data brk = call(__NR_brk, 0, 0, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &brk), "compute");
    struct seccomp_data writev = call(__NR_writev, 1, 0x1000, 2, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &writev), "compute");
    struct seccomp_data socket = call(__NR_socket, 2, 1, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &socket), NULL);
    CHECK_STR(sr_policy_hint(SR_PROFILE_COMPUTE, &socket), NULL);
    /* The program's own pid is known only at run time: no hint, never a wrong one. */
    struct seccomp_data kill_self = call(__NR_kill, SELF, SIGTERM, 0, 0, 0);
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &kill_self), NULL);
    /* Another ABI is refused by every profile. */
    struct seccomp_data i386_write = wr;
    i386_write.arch = AUDIT_ARCH_I386;
    i386_write.nr = 4;
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &i386_write), NULL);
    struct seccomp_data x32_brk = brk;
    x32_brk.nr = __NR_brk | 0x40000000;
    CHECK_STR(sr_policy_hint(SR_PROFILE_STRICT, &x32_brk), NULL);
    CHECK_STR(sr_policy_hint((sr_profile)7, &brk), NULL);
}

static void interpreter(void)
{
    struct seccomp_data d = call(__NR_brk, 0, 0, 0, 0, 0);
    uint32_t ret;
    struct sock_filter unknown[] = { BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 0), BPF_STMT(BPF_RET | BPF_K, 0) };
    CHECK(sr_bpf_eval(unknown, 2, &d, &ret) == -1, "an instruction outside the subset is refused");
    struct sock_filter off_end[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
    CHECK(sr_bpf_eval(off_end, 1, &d, &ret) == -1, "a program without a return is refused");
    struct sock_filter out_of_data[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof d), BPF_STMT(BPF_RET | BPF_K, 0) };
    CHECK(sr_bpf_eval(out_of_data, 2, &d, &ret) == -1, "a load past seccomp_data is refused");
    struct sock_filter jump_out[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), BPF_STMT(BPF_RET | BPF_K, 0) };
    CHECK(sr_bpf_eval(jump_out, 2, &d, &ret) == -1, "a jump past the end is refused");
    struct sock_filter ok[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_brk, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 1),
        BPF_STMT(BPF_RET | BPF_K, 2),
    };
    CHECK(sr_bpf_eval(ok, 5, &d, &ret) == 0 && ret == 2, "a small program runs (ret %u)", ret);
}

int main(void)
{
    memory_prefix();
    rlimits();
    hints();
    interpreter();
    return unit_done("policy_test");
}
