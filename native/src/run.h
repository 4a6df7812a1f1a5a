/* The state of one run, shared by the supervisor's units. */
#ifndef SR_RUN_H
#define SR_RUN_H

#include <stdint.h>
#include <sys/resource.h>
#include "cgroup.h"
#include "memwatch.h"
#include "relay.h"
#include "sandboxrun.h"
#include "spawn.h"
#include "verdict.h"

struct sr_run {
    const sr_config *cfg;
    struct sr_child child;
    struct sr_cgroup cg;
    struct sr_relay relay;
    struct sr_memwatch mem;
    int stdout_r, stderr_r;
    int poll_rss;                   /* no cgroup of ours: the supervisor watches memory */
    int max_threads;                /* watched by the supervisor; 0: a cgroup caps them */
    int mem_failures;               /* consecutive looks at its memory that failed */
    int mem_gone;                   /* consecutive looks that found no live thread */
    uint64_t refused_above;         /* mappings larger than this are refused by the kernel */
    uint64_t supervisor_ns;         /* CPU the supervisor spent on the program's notifications */
    uint64_t caller_hwm;            /* the caller's peak RSS once the program runs (see run.c) */
    uint64_t end_ns;                /* when it ended, or was killed */
    struct sr_facts facts;          /* what the verdict is decided from */
};

/* Ends the run now for reason (the first reason is kept). */
void sr_run_kill(struct sr_run *run, enum sr_kill_reason reason);

/* One look at the program's memory: raises the peak; 0, or -1 when it
 * could not be read. */
int sr_run_sample_memory(struct sr_run *run, struct sr_mem_sample *s);

/* Takes one notification from the filter and answers it. */
void sr_notify_handle(struct sr_run *run);

/* Supervises until the program has ended and its output is drained;
 * fills status and rusage. 0, or -1 (errno) when waiting failed. */
int sr_supervise(struct sr_run *run, int *status, struct rusage *ru);

#endif
