/* Stdout frames: writes argv[1], sleeps argv[2] milliseconds, writes argv[3],
 * exits 0. A launcher with --stdout-frames passes the first part on while the
 * program sleeps (its quiet hook), then the same block again, longer. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    if (write(1, argv[1], strlen(argv[1])) < 0)
        return 3;
    long ms = atol(argv[2]);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
    if (write(1, argv[3], strlen(argv[3])) < 0)
        return 3;
    return 0;
}
