/* Stdout frames: writes argv[1] bytes 'x', one every argv[2] milliseconds,
 * then exits 0. Never quiet for long: a launcher with --stdout-frames must
 * still pass its partial block on about once a second, not hold it back
 * until the program ends. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    long n = atol(argv[1]);
    long ms = atol(argv[2]);
    for (long i = 0; i < n; i++) {
        if (write(1, "x", 1) != 1)
            return 3;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    return 0;
}
