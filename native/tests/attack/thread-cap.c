/* Attack, meant for --profile=threads: creates argv[1] (default 5000)
 * threads that sleep forever (raw clone with the thread flags the profile
 * allows; the threads share one small stack they never touch and loop on
 * pause(), so each costs the kernel a task and nothing else), then prints
 * "created N threads" (N not counting the main thread), holds them argv[2] ms
 * (default 300) and exits 0. A clone that fails ends the creating early
 * ("clone failed: -ERRNO").
 * Must happen: never more than 256 threads alive. Where the launcher has a
 * cgroup, its pids.max makes clone fail with EAGAIN: Completed, N <= 255.
 * Without one, the supervisor counts the threads and kills the program while
 * it is still creating them: SyscallViolation "clone", a message about
 * threads, no "created" line. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREAD_FLAGS 0x50f00 /* CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */

static char stack[4096] __attribute__((aligned(16)));

/* clone in the parent returns the new tid (or -errno); the child starts on
 * the shared stack with rax 0 and loops on pause() (34) without using it. */
static long new_sleeping_thread(void)
{
    long r;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n"
                     "2:\tmov $34, %%eax\n\t"
                     "syscall\n\t"
                     "jmp 2b\n"
                     "1:"
                     : "=a"(r)
                     : "a"(SYS_clone), "D"((long)THREAD_FLAGS), "S"(stack + sizeof stack), "d"(0L),
                       "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return r;
}

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 5000;
    long hold_ms = argc > 2 ? atol(argv[2]) : 300;
    long n = 0;
    for (; n < want; n++) {
        long r = new_sleeping_thread();
        if (r < 0) {
            printf("clone failed: %ld\n", r);
            break;
        }
    }
    printf("created %ld threads\n", n);
    fflush(stdout);
    struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    syscall(SYS_exit_group, 0);
    return 0;
}
