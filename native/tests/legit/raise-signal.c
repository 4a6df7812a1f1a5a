/* Verdicts: dies of a signal. argv[1]: "abort" -> abort() (SIGABRT),
 * "segv" -> a write through a null pointer (SIGSEGV), "fpe" -> an integer
 * division by zero (SIGFPE), "sys" -> raise(SIGSYS) (the signal a seccomp
 * kill sends, here raised by the program itself: no system call was denied),
 * "xcpu" -> raise(SIGXCPU) (the signal of RLIMIT_CPU, here raised at once:
 * no CPU limit was reached). Prints "raising\n" first. The verdict must be
 * Signaled, exitCode null, signal the signal's name (for "sys" and "xcpu"
 * too: not SyscallViolation, not CpuTimeLimitExceeded). */
#include <signal.h>
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
    } else if (strcmp(what, "sys") == 0) {
        raise(SIGSYS);
    } else if (strcmp(what, "xcpu") == 0) {
        raise(SIGXCPU);
    } else {
        abort();
    }
    return 0;
}
