/* cpu-time OUT COMMAND [ARG...]: runs COMMAND as a child, waits for it, and
 * writes to OUT "pid P\nstatus S\nuser_us U\nsys_us S\n": the child's pid
 * (the launcher's, for the harness's bookkeeping), its wait status, and the
 * CPU time of the child and of every descendant it waited for (the
 * launcher and its program together). */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cpu-time OUT COMMAND [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("cpu-time: fork");
        return 2;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        perror("cpu-time: exec");
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("cpu-time: waitpid");
            return 2;
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror("cpu-time: open");
        return 2;
    }
    fprintf(f, "pid %d\nstatus %d\nuser_us %lld\nsys_us %lld\n", (int)pid, status,
            (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
            (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
    fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
