/* Attack: enumerate the machine's processes through sched_getaffinity, which
 * any process may call on any pid (it fails with ESRCH only where no process
 * is): asks for pid 0 (itself, allowed: runtimes count their CPUs so), its
 * own pid, its parent (the launcher), pid 1, and then every pid 1..4096.
 * Must happen: only pid 0 answers; every other pid fails with EPERM (not
 * ESRCH, which would tell the pid is free). Completed with exactly:
 *   pid 0: ok
 *   own pid: EPERM
 *   parent: EPERM
 *   pid 1: EPERM
 *   pids 1-4096: 0 answered, 4096 EPERM */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void ask(const char *what, pid_t pid)
{
    cpu_set_t set;
    if (sched_getaffinity(pid, sizeof set, &set) == 0)
        printf("%s: ok\n", what);
    else
        printf("%s: %s\n", what, errno == EPERM ? "EPERM" : strerror(errno));
}

int main(void)
{
    ask("pid 0", 0);
    ask("own pid", getpid());
    ask("parent", getppid());
    ask("pid 1", 1);
    int answered = 0, eperm = 0;
    for (pid_t p = 1; p <= 4096; p++) {
        cpu_set_t set;
        if (sched_getaffinity(p, sizeof set, &set) == 0)
            answered++;
        else if (errno == EPERM)
            eperm++;
    }
    printf("pids 1-4096: %d answered, %d EPERM\n", answered, eperm);
    return 0;
}
