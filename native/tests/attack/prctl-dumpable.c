/* Attack: prctl(PR_SET_DUMPABLE, 1): makes the program traceable and its
 * /proc files readable by other processes of its uid (and core dumps).
 * Must happen: killed (SyscallViolation "prctl") or refused with an errno;
 * the program never becomes dumpable. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

int main(void)
{
    fflush(stdout);
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
        printf("refused: prctl %s\n", strerrorname_np(errno));
        return 0;
    }
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1)
        printf("BREACH: dumpable\n");
    else
        printf("refused: still not dumpable\n");
    return 0;
}
