/* Well-behaved: prints its argument vector, one "argv[i]=<arg>" line each.
 * The contract says the program sees argv[0] as PROGRAM was given on the
 * command line, then the ARGs, unchanged. */
#include <stdio.h>

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
}
