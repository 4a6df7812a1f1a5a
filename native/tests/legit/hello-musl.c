/* Well-behaved: static musl C (musl-gcc -static). Expected stdout, exactly:
 * "Hello from musl: 6 * 7 = 42\n"; exit 0; verdict Completed under compute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *s = malloc(64);
    if (!s)
        return 2;
    snprintf(s, 64, "%d * %d = %d", 6, 7, 6 * 7);
    printf("Hello from musl: %s\n", s);
    free(s);
    return 0;
}
