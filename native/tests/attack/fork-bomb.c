/* Attack: a fork bomb, meant for --profile=threads (threads allowed,
 * processes never): glibc fork() in a loop, every child forking too.
 * Must happen: SyscallViolation, syscall "clone" (glibc's fork); no process
 * survives the launcher. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    int made = 0;
    for (int i = 0; i < 10000; i++) {
        pid_t p = fork();
        if (p > 0)
            made++;
        else if (p < 0)
            break;
    }
    if (made)
        printf("BREACH: forked %d\n", made);
    else
        printf("refused: fork %s\n", strerrorname_np(errno));
    return 0;
}
