/* Attack: descriptors leaked from the launcher (the test starts the launcher
 * with descriptors 5..20 open on a file). For every fd 3..1023 it tries
 * fcntl(F_GETFD), write "LEAK" and read; prints "open fds: none" or the
 * list. Also checks that 0, 1 and 2 are there.
 * Must happen: exactly "fds 0-2: ok\nopen fds: none\n"; the file stays empty. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int ok = fcntl(0, F_GETFD) != -1 && fcntl(1, F_GETFD) != -1 && fcntl(2, F_GETFD) != -1;
    printf("fds 0-2: %s\n", ok ? "ok" : "MISSING");
    char list[8192] = "";
    int len = 0, found = 0;
    for (int fd = 3; fd < 1024; fd++) {
        int open_ = fcntl(fd, F_GETFD) != -1;
        int wrote = write(fd, "LEAK", 4) > 0;
        char c;
        int readable = read(fd, &c, 1) >= 0;
        if (open_ || wrote || readable) {
            found++;
            if (len < (int)sizeof list - 64)
                len += snprintf(list + len, sizeof list - (size_t)len, " %d%s%s%s", fd,
                                open_ ? "(open)" : "", wrote ? "(written)" : "", readable ? "(read)" : "");
        }
    }
    if (found)
        printf("BREACH: open fds:%s\n", list);
    else
        printf("open fds: none\n");
    return 0;
}
