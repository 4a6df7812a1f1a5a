/* Reads stdin to its end with a 64 KiB buffer and prints "read N bytes".
 * What it uses is that buffer: reading a large --stdin file must not count
 * the file's page cache as the program's memory (maxRssBytes). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static char buf[64 * 1024];
    unsigned long long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            printf("read failed\n");
            return 2;
        }
        if (n == 0)
            break;
        total += (unsigned long long)n;
    }
    printf("read %llu bytes\n", total);
    return 0;
}
