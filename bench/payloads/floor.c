/* The floor of any launcher that runs a program in a child: fork, exec,
 * wait, and (with -r) relay its stdout through a pipe, with nothing else
 * (no sandbox, no hash). The distance between this and bare exec is what
 * two execs and a pipe cost on this machine, whoever writes the launcher.
 *   floor [-r] PROGRAM [ARG]... */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int relay = argc > 1 && strcmp(argv[1], "-r") == 0;
    char **prog = argv + 1 + relay;
    int p[2];
    if (relay && pipe(p) < 0) return 70;
    pid_t pid = fork();
    if (pid == 0) {
        if (relay) { dup2(p[1], 1); close(p[0]); close(p[1]); }
        execv(prog[0], prog);
        _exit(127);
    }
    if (relay) {
        static char buf[96 * 1024];
        close(p[1]);
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            for (ssize_t off = 0; off < n; ) {
                ssize_t w = write(1, buf + off, (size_t)(n - off));
                if (w <= 0) return 70;
                off += w;
            }
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
