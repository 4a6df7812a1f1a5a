/* Attack: the network. socket + connect to 127.0.0.1:argv[1] (a port the
 * test listens on) and send "BREACH". Must happen: SyscallViolation, syscall
 * "socket"; the listener receives no connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 9;
    fflush(stdout);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("refused: socket %s\n", strerrorname_np(errno));
        return 0;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        printf("refused: connect %s\n", strerrorname_np(errno));
        return 0;
    }
    write(s, "BREACH\n", 7);
    printf("BREACH: connected\n");
    return 0;
}
