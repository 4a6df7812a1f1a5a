#include "verdict.h"

#include <signal.h>
#include <stdio.h>

#include "result.h"

/* The order is the precedence: what the supervisor itself stopped the run
 * for; then output past its cap, memory (an OOM kill, a refused allocation
 * the program died of, a peak over the limit), a violation the kernel
 * killed for, the CPU backstop; last, how the program ended by itself. */
void sr_decide(const struct sr_facts *f, const sr_config *cfg, sr_result *out)
{
    const char *profile = sr_profile_name(cfg->profile);
    unsigned long long mem = (unsigned long long)cfg->memory_bytes;
    int completed = f->exited && f->exit_code == 0;
    char sig[24];
    out->syscall[0] = '\0';

    switch (f->killed_for) {
    case KILL_SYSCALL:
        if (f->dodged && !f->syscall[0]) {
            sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: a system call the supervisor had to see was "
                          "withdrawn by a signal before it could (profile %s)", profile);
            return;
        }
        snprintf(out->syscall, sizeof out->syscall, "%s", f->syscall);
        if (f->hint)
            sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: system call %s is not allowed under profile %s "
                          "(use profile %s)", f->syscall, profile, f->hint);
        else
            sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: system call %s is not allowed under profile %s",
                          f->syscall, profile);
        return;
    case KILL_CPU:
        sr_result_set(out, SR_CPU_TIME_LIMIT_EXCEEDED, "killed: CPU time limit of %llu ms reached",
                      (unsigned long long)cfg->cpu_ms);
        return;
    case KILL_WALL:
        sr_result_set(out, SR_WALL_TIME_LIMIT_EXCEEDED, "killed: wall-clock limit of %llu ms reached",
                      (unsigned long long)cfg->wall_ms);
        return;
    case KILL_THREADS:
        snprintf(out->syscall, sizeof out->syscall, "clone");
        sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: more than %d threads", SR_THREADS_MAX);
        return;
    case KILL_MEMORY:
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "killed: memory passed the limit of %llu bytes", mem);
        return;
    case KILL_OUTPUT:
        sr_result_set(out, SR_OUTPUT_LIMIT_EXCEEDED, "killed: stdout passed the limit of %llu bytes",
                      (unsigned long long)cfg->stdout_max);
        return;
    case KILL_CONSUMER:
        sr_result_set(out, SR_LAUNCH_ERROR, "stopped: the program's stdout could not be passed on");
        return;
    case KILL_CANCELLED:
        sr_result_set(out, SR_LAUNCH_ERROR, "stopped: the launcher was asked to stop");
        return;
    case KILL_UNWATCHABLE:
        sr_result_set(out, SR_LAUNCH_ERROR, "stopped: %s", f->why);
        return;
    case KILL_NONE:
        break;
    }
    if (f->output_over) {
        /* The bytes past the cap came after the supervisor's last look (the
         * program exited before they were read): the cap still holds. */
        sr_result_set(out, SR_OUTPUT_LIMIT_EXCEEDED, "stdout passed the limit of %llu bytes",
                      (unsigned long long)cfg->stdout_max);
        return;
    }
    if (f->oom_kills > 0) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "killed by the kernel: out of memory at the limit of %llu bytes", mem);
        return;
    }
    if (!completed && (f->memory_refused || (f->cgroup_version && f->limit_hits > 0))) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "memory ran out at the limit of %llu bytes and the program %s",
                      mem, f->exited ? "gave up" : "died");
        return;
    }
    uint64_t exact = f->max_rss_estimated ? 0 : f->max_rss;
    uint64_t peak = f->charged_peak > exact ? f->charged_peak : exact;
    if (!f->cgroup_version && peak > cfg->memory_bytes) {
        sr_result_set(out, SR_MEMORY_LIMIT_EXCEEDED, "memory reached %llu bytes, over the limit of %llu",
                      (unsigned long long)peak, mem);
        return;
    }
    if (f->signal == SIGSYS && !f->notified) {
        /* Filters that kill directly (no notification): the kernel's SIGSYS. */
        sr_result_set(out, SR_SYSCALL_VIOLATION, "killed: a system call not allowed under profile %s", profile);
        return;
    }
    /* RLIMIT_CPU, the backstop: SIGXCPU at its soft limit, SIGKILL at its
     * hard one, both a second or more past --cpu-ms. With many threads the
     * kernel's sampling and wait4's sum can differ by a little: allow 10%.
     * A program that raises SIGXCPU on itself early is just Signaled. */
    if ((f->signal == SIGXCPU || f->signal == SIGKILL) && f->cpu_ms * 10 >= cfg->cpu_ms * 9) {
        sr_result_set(out, SR_CPU_TIME_LIMIT_EXCEEDED, "killed: CPU time limit of %llu ms reached",
                      (unsigned long long)cfg->cpu_ms);
        return;
    }
    if (completed) sr_result_set(out, SR_COMPLETED, "exited with code 0");
    else if (f->exited) sr_result_set(out, SR_NON_ZERO_EXIT, "exited with code %d", f->exit_code);
    else sr_result_set(out, SR_SIGNALED, "killed by signal %s", sr_signal_name(f->signal, sig, sizeof sig));
}
