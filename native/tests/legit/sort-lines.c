/* Well-behaved: reads stdin, sorts its lines (strcmp order) and prints them,
 * each ending in "\n". Exercises malloc/realloc/qsort/stdio of static glibc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    char **lines = NULL;
    size_t n = 0, cap = 0, len = 0;
    char *line = NULL;
    ssize_t r;
    while ((r = getline(&line, &len, stdin)) != -1) {
        if (r > 0 && line[r - 1] == '\n')
            line[r - 1] = '\0';
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            lines = realloc(lines, cap * sizeof *lines);
            if (!lines)
                return 2;
        }
        lines[n++] = strdup(line);
    }
    qsort(lines, n, sizeof *lines, cmp);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", lines[i]);
    return 0;
}
