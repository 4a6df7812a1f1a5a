/* Verdicts: exits with the code argv[1] (0 -> Completed, anything else ->
 * NonZeroExit with exitCode equal to it), printing "exiting N\n" first. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting %d\n", code);
    fflush(stdout);
    exit(code);
}
