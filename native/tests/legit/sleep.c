/* Limits: sleeps argv[1] milliseconds (nanosleep; "forever" sleeps an hour at
 * a time), using no CPU, then prints "slept\n". Under --wall-ms below the
 * sleep the verdict must be WallTimeLimitExceeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "forever") == 0)
        for (;;) {
            struct timespec hour = {3600, 0};
            nanosleep(&hour, NULL);
        }
    long ms = atol(argv[1]);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
    printf("slept\n");
    return 0;
}
