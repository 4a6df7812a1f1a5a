/* Verdicts: dies of a signal. argv[1]: "abort" -> abort() (SIGABRT),
 * "segv" -> a write through a null pointer (SIGSEGV), "fpe" -> an integer
 * division by zero (SIGFPE). Prints "raising\n" first. The verdict must be
 * Signaled, exitCode null, signal the signal's name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "abort";
    printf("raising\n");
    fflush(stdout);
    if (strcmp(what, "segv") == 0) {
        *(volatile int *)0 = 1;
    } else if (strcmp(what, "fpe") == 0) {
        volatile int num = 7, zero = 0; /* both volatile: a real idiv, no folding */
        volatile int x = num / zero;
        (void)x;
    } else {
        abort();
    }
    return 0;
}
