/* The smallest SandboxRun: one line on stdout.
 * Build: gcc -static -O2 -o hello hello.c */
#include <stdio.h>

int main(void)
{
    printf("Hello from a SandboxRun!\n");
    return 0;
}
