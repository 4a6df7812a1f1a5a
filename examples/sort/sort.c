/* Reads lines from stdin (at most 1000 of at most 255 bytes), prints them
 * sorted. Build: gcc -static -O2 -o sort sort.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    static char buf[1000][256];
    char *lines[1000];
    int n = 0;
    while (n < 1000 && fgets(buf[n], sizeof buf[n], stdin)) {
        lines[n] = buf[n];
        n++;
    }
    qsort(lines, (size_t)n, sizeof lines[0], cmp);
    for (int i = 0; i < n; i++)
        fputs(lines[i], stdout);
    return 0;
}
