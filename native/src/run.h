/* The state of one run, shared by the supervisor's units. */
#ifndef SR_RUN_H
#define SR_RUN_H

#include <stdint.h>
#include <sys/resource.h>
#include "cgroup.h"
#include "relay.h"
#include "sandboxrun.h"
#include "spawn.h"

/* Why the supervisor ended the run itself (first reason wins). */
enum sr_kill_reason { KILL_NONE = 0, KILL_CPU, KILL_WALL, KILL_MEMORY, KILL_OUTPUT, KILL_SYSCALL,
                      KILL_THREADS, KILL_CONSUMER, KILL_CANCELLED };

struct sr_run {
    const sr_config *cfg;
    struct sr_child child;
    struct sr_cgroup cg;
    struct sr_relay relay;
    int stdout_r, stderr_r;
    int poll_rss;                   /* no cgroup of ours: watch resident memory */
    int status_fd;                  /* /proc/PID/status of the program (or of a live thread) */
    int following;                  /* the tid whose status that is, 0: the program's */
    uint64_t peak_rss;              /* its VmHWM, as last read */
    enum sr_kill_reason killed_for;
    uint64_t killed_at_ns;
    char syscall[48];               /* the first violation */
    int memory_refused;             /* a mapping the kernel refuses was asked for */
    int dodged;                     /* a notification went missing: see notify.c */
    uint64_t refused_above;         /* mappings larger than this are refused */
    int max_threads;                /* watched without a cgroup; 0: not watched */
    uint64_t end_ns;
};

/* Ends the run now for reason (first reason is kept). */
void sr_run_kill(struct sr_run *run, enum sr_kill_reason reason);

/* Reads the program's memory from /proc: VmSize, VmRSS, its thread count,
 * and raises peak_rss to VmHWM. 0 on success. */
int sr_read_memory(struct sr_run *run, uint64_t *vm, uint64_t *rss, int *threads);

/* Takes one notification from the filter and answers it. */
void sr_notify_handle(struct sr_run *run);

/* Supervises until the program has ended and its output is drained;
 * fills status and rusage. */
int sr_supervise(struct sr_run *run, int *status, struct rusage *ru, int cancel_fd);

#endif
