/* Well-behaved: greets each argument, then echoes stdin with a line count.
 * Exact stdout for args "Ada" "Linus" and stdin "one\ntwo\n":
 *   hello, Ada
 *   hello, Linus
 *   stdin: one
 *   stdin: two
 *   2 lines */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[256];
    int n = 0;
    for (int i = 1; i < argc; i++)
        printf("hello, %s\n", argv[i]);
    while (fgets(line, sizeof line, stdin)) {
        printf("stdin: %s", line);
        if (!strchr(line, '\n'))
            putchar('\n');
        n++;
    }
    printf("%d lines\n", n);
    return 0;
}
