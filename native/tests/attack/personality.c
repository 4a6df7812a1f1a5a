/* Attack: personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE) (makes readable
 * memory executable and turns off ASLR; old exploit helper).
 * Must happen: killed (SyscallViolation "personality") or refused with an
 * errno; the persona is unchanged. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>

int main(void)
{
    fflush(stdout);
    int r = personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE);
    if (r == -1) {
        printf("refused: personality %s\n", strerrorname_np(errno));
        return 0;
    }
    int now = personality(0xffffffff);
    if (now & (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE))
        printf("BREACH: personality now %#x\n", now);
    else
        printf("refused: personality unchanged\n");
    return 0;
}
