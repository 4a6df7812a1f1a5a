/* Attack: run something else (the launcher itself, the only other binary in the image). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char *argv[] = {"/sandbox-launch", "--help", NULL};
    char *envp[] = {NULL};
    printf("exec\n");
    fflush(stdout);
    execve("/sandbox-launch", argv, envp);
    printf("execve returned\n");
    return 0;
}
