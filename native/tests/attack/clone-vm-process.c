/* Attack, meant for --profile=threads: a process that shares memory but is
 * not a thread: clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|SIGCHLD),
 * no CLONE_THREAD. A filter that only requires CLONE_VM lets it through.
 * Must happen: SyscallViolation, syscall "clone"; no child survives. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char stack[1 << 16] __attribute__((aligned(16)));

static int child(void *arg)
{
    static const char msg[] = "BREACH: CLONE_VM child\n";
    syscall(SYS_write, 1, msg, sizeof msg - 1);
    struct timespec ts = {60, 0};
    syscall(SYS_nanosleep, &ts, NULL);
    return 42;
}

int main(void)
{
    fflush(stdout);
    int pid = clone(child, stack + sizeof stack,
                    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | SIGCHLD, NULL);
    if (pid < 0)
        printf("refused: clone %s\n", strerrorname_np(errno));
    else
        printf("BREACH: cloned %d\n", pid);
    return 0;
}
