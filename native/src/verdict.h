/*
 * The verdict, decided from what the run observed: a pure function, so its
 * precedence can be read in one place and tested as a table
 * (tests/unit/verdict_test.c).
 */
#ifndef SR_VERDICT_H
#define SR_VERDICT_H

#include <stdint.h>
#include "sandboxrun.h"

#define SR_THREADS_MAX 256

/* Why the supervisor ended the run itself (the first reason wins). */
enum sr_kill_reason { KILL_NONE = 0, KILL_CPU, KILL_WALL, KILL_MEMORY, KILL_OUTPUT, KILL_SYSCALL,
                      KILL_THREADS, KILL_CONSUMER, KILL_CANCELLED, KILL_UNWATCHABLE };

struct sr_facts {
    enum sr_kill_reason killed_for;
    uint64_t killed_at_ns;
    char syscall[48];             /* the first denied call, "" when unnamed */
    const char *hint;             /* a profile that allows that call, or NULL */
    int dodged;                   /* a notification went missing (notify.c) */
    int memory_refused;           /* a mapping the kernel refuses was asked for */
    int output_over;              /* stdout passed its cap (maybe after the last look) */
    int cgroup_version;           /* of the run's own cgroup, 0: none */
    long long oom_kills;          /* OOM kills seen in the run's (or the container's) cgroup */
    long long limit_hits;         /* times the run's cgroup hit its memory limit */
    int notified;                 /* violations reach the supervisor (else the kernel kills) */
    int exited, exit_code, signal;
    uint64_t cpu_ms;
    uint64_t max_rss;             /* its peak resident memory, as reported */
    int max_rss_estimated;         /* max_rss is an estimate: reported, never judged */
    uint64_t charged_peak;        /* the most counted against the limit without a cgroup:
                                   * pages, page tables and mappings (memwatch.h) */
    char why[160];                /* KILL_UNWATCHABLE: what could not be read */
};

/* Sets out->verdict, out->message and out->syscall from the facts. */
void sr_decide(const struct sr_facts *f, const sr_config *cfg, sr_result *out);

#endif
