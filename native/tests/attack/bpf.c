/* Attack: bpf(2): load a socket filter program (BPF_PROG_LOAD), the door to
 * the kernel's BPF verifier and maps.
 * Must happen: SyscallViolation, syscall "bpf". */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct bpf_insn prog[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    attr.insns = (unsigned long)prog;
    attr.insn_cnt = 2;
    attr.license = (unsigned long)"GPL";
    fflush(stdout);
    long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    if (fd < 0)
        printf("refused: bpf %s\n", strerrorname_np(errno));
    else
        printf("BREACH: bpf program %ld\n", fd);
    return 0;
}
