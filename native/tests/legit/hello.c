/* Well-behaved: static glibc C hello. Expected stdout, exactly:
 * "Hello from C (glibc, static)\n"; exit 0; verdict Completed under compute. */
#include <stdio.h>

int main(void)
{
    printf("Hello from C (glibc, static)\n");
    return 0;
}
