/* Well-behaved: reports who it runs as. Expected stdout, exactly (the
 * launcher drops root to 65534, and as 65534 it stays 65534; the program has
 * its own session):
 *   uid=65534 euid=65534 gid=65534 egid=65534 groups=0
 *   session leader: yes */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    gid_t groups[64];
    int n = getgroups(64, groups);
    printf("uid=%d euid=%d gid=%d egid=%d groups=%d\n", (int)getuid(), (int)geteuid(),
           (int)getgid(), (int)getegid(), n);
    printf("session leader: %s\n", getsid(0) == getpid() ? "yes" : "no");
    return 0;
}
