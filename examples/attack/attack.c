/* An attack the sandbox stops: phone home. It tries to open a TCP socket to
 * 127.0.0.1:80; the compute profile does not allow socket(2), so the run ends
 * right there as SyscallViolation, syscall "socket". The line before it is
 * the last the program says.
 * Build: gcc -static -O2 -o attack attack.c */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    printf("opening a socket to 127.0.0.1:80...\n");
    fflush(stdout);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        printf("connected: the sandbox failed\n");
    return 0;
}
