/* A tiny well-behaved program for the operator's end-to-end tests.
 * Prints "hello" and its arguments, one a line, then copies stdin to stdout.
 * An argument "exit=N" makes it leave with code N after that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int code = 0;
    printf("hello\n");
    for (int i = 1; i < argc; i++) {
        printf("arg %d: %s\n", i, argv[i]);
        if (strncmp(argv[i], "exit=", 5) == 0) code = atoi(argv[i] + 5);
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    return code;
}
