/* Contest code that sets its own limits, within the hard limits:
 *   within     setrlimit(RLIMIT_STACK, {hard, hard}), then
 *              prlimit64(0, RLIMIT_CPU, {soft - 1 s, hard}) (the same soft limit
 *              when it is 2 s or less): prints
 *              "stack: ok" and "cpu: ok" (or the errno of a refusal)
 *   raise-hard raises RLIMIT_NOFILE's hard limit by one: prints
 *              "raise hard: EPERM" (or "raise hard: ok")
 *   other-pid  asks prlimit64 about its parent's RLIMIT_CPU
 * and exits 0.
 * Must happen: "within" Completed with both ok; "raise-hard" Completed with
 * EPERM (only root could); "other-pid" SyscallViolation "prlimit64". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char *err(int rc)
{
    return rc == 0 ? "ok" : strerrorname_np(errno);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "within";
    struct rlimit r;
    if (strcmp(mode, "within") == 0) {
        getrlimit(RLIMIT_STACK, &r);
        struct rlimit s = { r.rlim_max, r.rlim_max };
        printf("stack: %s\n", err(setrlimit(RLIMIT_STACK, &s)));
        getrlimit(RLIMIT_CPU, &r);
        struct rlimit c = { r.rlim_cur == RLIM_INFINITY ? 100 : r.rlim_cur > 2 ? r.rlim_cur - 1 : r.rlim_cur,
                            r.rlim_max };
        printf("cpu: %s\n", err(prlimit(0, RLIMIT_CPU, &c, NULL)));
    } else if (strcmp(mode, "raise-hard") == 0) {
        getrlimit(RLIMIT_NOFILE, &r);
        struct rlimit n = { r.rlim_max, r.rlim_max + 1 };
        printf("raise hard: %s\n", err(setrlimit(RLIMIT_NOFILE, &n)));
    } else {
        printf("parent's cpu: %s\n", err(prlimit(getppid(), RLIMIT_CPU, NULL, &r)));
    }
    return 0;
}
