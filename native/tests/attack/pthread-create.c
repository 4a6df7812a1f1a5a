/* Attack (for the violation's hint): starts one thread with pthread_create,
 * which prints "thread ran", and joins it. Must happen under --profile=compute:
 * SyscallViolation "clone" whose message points to profile threads. */
#include <pthread.h>
#include <stdio.h>

static void *run(void *arg)
{
    printf("thread ran\n");
    return arg;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, run, NULL) != 0) {
        printf("pthread_create failed\n");
        return 2;
    }
    pthread_join(t, NULL);
    return 0;
}
