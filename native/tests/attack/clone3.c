/* Attack: clone3, whose flags live in memory where a seccomp filter cannot
 * look. Must happen (every profile): clone3 fails with ENOSYS (so libc falls
 * back to clone, which the filter inspects); the program prints exactly
 * "clone3: ENOSYS\n" and exits 0 (Completed). argv[1] "thread" asks for a
 * thread (CLONE_VM|CLONE_THREAD|...), otherwise a fork-like child. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char stack[65536] __attribute__((aligned(16)));

int main(int argc, char **argv)
{
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
        ca.stack = (unsigned long)stack;
        ca.stack_size = sizeof stack;
    } else {
        ca.exit_signal = SIGCHLD;
    }
    fflush(stdout);
    long r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0) {
        /* child (or thread on the new stack): leave without touching libc state */
        static const char msg[] = "BREACH: clone3 child\n";
        syscall(SYS_write, 1, msg, sizeof msg - 1);
        struct timespec ts = {60, 0};
        syscall(SYS_nanosleep, &ts, NULL);
        syscall(SYS_exit, 42);
    }
    if (r < 0)
        printf("clone3: %s\n", strerrorname_np(errno));
    else
        printf("BREACH: clone3 created %ld\n", r);
    return 0;
}
