/* Attack: the kernel keyrings, shared by uid across processes:
 * keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, create).
 * Must happen: SyscallViolation, syscall "keyctl". */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1);
    if (id < 0)
        printf("refused: keyctl %s\n", strerrorname_np(errno));
    else
        printf("BREACH: user keyring %ld\n", id);
    return 0;
}
