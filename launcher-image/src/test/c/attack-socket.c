/* Attack: open a socket (the container has no network; the filter stops it first). */
#include <stdio.h>
#include <sys/socket.h>

int main(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket returned %d\n", s);
    return 0;
}
