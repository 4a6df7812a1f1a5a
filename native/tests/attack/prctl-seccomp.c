/* Attack: install a filter of its own with prctl(PR_SET_SECCOMP) (an
 * allow-everything filter, hoping to dilute the launcher's), then open a
 * socket. Must happen: killed: SyscallViolation, syscall "prctl", "seccomp"
 * or (the extra filter changes nothing) "socket". */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

int main(void)
{
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {1, allow};
    fflush(stdout);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        printf("refused: prctl %s\n", strerrorname_np(errno));
    else
        printf("installed own filter\n");
    fflush(stdout);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        printf("refused: socket %s\n", strerrorname_np(errno));
    else
        printf("BREACH: socket %d\n", s);
    return 0;
}
