/* The verdict's precedence as a table: each row is what a run observed and
 * the verdict (and message words) it must give. src/verdict.c is pure, so
 * every row runs without starting anything. */
#include "../../src/verdict.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../../src/result.h"

struct row {
    const char *name;
    struct sr_facts f;
    sr_profile profile;
    sr_verdict want;
    const char *words;           /* must appear in the message, or NULL */
    const char *syscall;         /* must be the syscall field, or NULL */
};

#define MiB (1024ull * 1024)
#define EXITED(code) .exited = 1, .exit_code = (code)
#define SIGNALED(sig) .signal = (sig)

static const struct row rows[] = {
    { "clean exit", { EXITED(0) }, SR_PROFILE_COMPUTE, SR_COMPLETED, "exited with code 0", NULL },
    { "non-zero exit", { EXITED(3) }, SR_PROFILE_COMPUTE, SR_NON_ZERO_EXIT, "code 3", NULL },
    { "own signal", { SIGNALED(SIGSEGV) }, SR_PROFILE_COMPUTE, SR_SIGNALED, "SIGSEGV", NULL },
    { "violation, named, with hint", { .killed_for = KILL_SYSCALL, .syscall = "clone", .hint = "threads", SIGNALED(SIGKILL) },
      SR_PROFILE_COMPUTE, SR_SYSCALL_VIOLATION, "(use profile threads)", "clone" },
    { "violation, no hint", { .killed_for = KILL_SYSCALL, .syscall = "socket", SIGNALED(SIGKILL) },
      SR_PROFILE_COMPUTE, SR_SYSCALL_VIOLATION, "socket is not allowed under profile compute", "socket" },
    { "violation dodged by a signal", { .killed_for = KILL_SYSCALL, .dodged = 1, SIGNALED(SIGKILL) },
      SR_PROFILE_COMPUTE, SR_SYSCALL_VIOLATION, "withdrawn by a signal", "" },
    { "violation beats a later exit", { .killed_for = KILL_SYSCALL, .syscall = "open", EXITED(0) },
      SR_PROFILE_STRICT, SR_SYSCALL_VIOLATION, "open", "open" },
    { "supervisor's kill beats output over cap", { .killed_for = KILL_CPU, .output_over = 1, SIGNALED(SIGKILL) },
      SR_PROFILE_COMPUTE, SR_CPU_TIME_LIMIT_EXCEEDED, "1000 ms", NULL },
    { "wall", { .killed_for = KILL_WALL, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_WALL_TIME_LIMIT_EXCEEDED, "2000 ms", NULL },
    { "memory kill", { .killed_for = KILL_MEMORY, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, NULL, NULL },
    { "thread cap", { .killed_for = KILL_THREADS, SIGNALED(SIGKILL) }, SR_PROFILE_THREADS, SR_SYSCALL_VIOLATION, "threads", "clone" },
    { "consumer gone", { .killed_for = KILL_CONSUMER, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_LAUNCH_ERROR, "stdout", NULL },
    { "cancelled", { .killed_for = KILL_CANCELLED, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_LAUNCH_ERROR, "asked to stop", NULL },
    { "memory unreadable", { .killed_for = KILL_UNWATCHABLE, .why = "memory could not be read", SIGNALED(SIGKILL) },
      SR_PROFILE_COMPUTE, SR_LAUNCH_ERROR, "memory could not be read", NULL },
    { "output past the cap after the last look", { .output_over = 1, EXITED(0) }, SR_PROFILE_COMPUTE, SR_OUTPUT_LIMIT_EXCEEDED, NULL, NULL },
    { "output over beats an OOM kill", { .output_over = 1, .oom_kills = 1, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_OUTPUT_LIMIT_EXCEEDED, NULL, NULL },
    { "OOM kill", { .oom_kills = 1, .cgroup_version = 2, SIGNALED(SIGKILL) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, "out of memory", NULL },
    { "OOM kill beats a clean exit code", { .oom_kills = 1, EXITED(0) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, NULL, NULL },
    { "refused allocation, program gave up", { .memory_refused = 1, EXITED(1) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, "gave up", NULL },
    { "refused allocation, program still completed", { .memory_refused = 1, EXITED(0) }, SR_PROFILE_COMPUTE, SR_COMPLETED, NULL, NULL },
    { "cgroup limit hit, program died", { .cgroup_version = 1, .limit_hits = 5, SIGNALED(SIGSEGV) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, "died", NULL },
    { "cgroup limit hit, completed", { .cgroup_version = 1, .limit_hits = 5, EXITED(0) }, SR_PROFILE_COMPUTE, SR_COMPLETED, NULL, NULL },
    { "peak over the limit, no cgroup", { .max_rss = 300 * MiB, EXITED(0) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, "over the limit", NULL },
    { "charged peak (mappings) over the limit", { .max_rss = 1 * MiB, .charged_peak = 300 * MiB, EXITED(0) }, SR_PROFILE_COMPUTE, SR_MEMORY_LIMIT_EXCEEDED, NULL, NULL },
    { "estimated peak is never judged", { .max_rss = 300 * MiB, .max_rss_estimated = 1, EXITED(0) }, SR_PROFILE_COMPUTE, SR_COMPLETED, NULL, NULL },
    { "peak over the limit with a cgroup: the cgroup judged", { .max_rss = 300 * MiB, .cgroup_version = 2, EXITED(0) }, SR_PROFILE_COMPUTE, SR_COMPLETED, NULL, NULL },
    { "kernel's SIGSYS without notifications", { SIGNALED(SIGSYS) }, SR_PROFILE_COMPUTE, SR_SYSCALL_VIOLATION, "not allowed", "" },
    { "own SIGSYS with notifications", { .notified = 1, SIGNALED(SIGSYS) }, SR_PROFILE_COMPUTE, SR_SIGNALED, "SIGSYS", NULL },
    { "RLIMIT_CPU backstop", { .cpu_ms = 1900, SIGNALED(SIGXCPU) }, SR_PROFILE_COMPUTE, SR_CPU_TIME_LIMIT_EXCEEDED, NULL, NULL },
    { "SIGXCPU raised early is Signaled", { .cpu_ms = 10, SIGNALED(SIGXCPU) }, SR_PROFILE_COMPUTE, SR_SIGNALED, "SIGXCPU", NULL },
};

int main(void)
{
    int failed = 0, passed = 0;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const struct row *r = &rows[i];
        sr_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.profile = r->profile;
        cfg.cpu_ms = 1000;
        cfg.wall_ms = 2000;
        cfg.memory_bytes = 256 * MiB;
        sr_result out;
        memset(&out, 0, sizeof out);
        strcpy(out.syscall, "stale");
        sr_decide(&r->f, &cfg, &out);
        int ok = out.verdict == r->want && (!r->words || strstr(out.message, r->words)) &&
                 (!r->syscall || strcmp(out.syscall, r->syscall) == 0) &&
                 (r->syscall || strcmp(out.syscall, "") == 0 || r->want == SR_SYSCALL_VIOLATION);
        if (ok) { passed++; continue; }
        failed++;
        fprintf(stderr, "FAIL: %s: got %s \"%s\" (syscall \"%s\"), want %s%s%s\n", r->name, sr_verdict_name(out.verdict),
                out.message, out.syscall, sr_verdict_name(r->want), r->words ? " with " : "", r->words ? r->words : "");
    }
    printf("verdict_test: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
