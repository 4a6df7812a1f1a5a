/* Attack: survive a forbidden call by catching SIGSYS (if the launcher named
 * calls with SECCOMP_RET_TRAP, the program's own handler would get the signal
 * and go on), then call socket(). Must happen: SyscallViolation, syscall
 * "socket"; the program never prints "BREACH: survived". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    caught++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);
    fflush(stdout);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("BREACH: survived socket() = %d (%s), SIGSYS caught %d times\n", s,
           s < 0 ? strerrorname_np(errno) : "ok", (int)caught);
    return 0;
}
