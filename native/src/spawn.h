/*
 * Starting the program: a child that shares no state with the caller but its
 * memory until it executes (clone with CLONE_VM, like vfork, so it is safe
 * and cheap from a multithreaded JVM), set up step by step with raw system
 * calls, locked into the profile's filter, and executed exactly once.
 */
#ifndef SR_SPAWN_H
#define SR_SPAWN_H

#include <stdint.h>
#include <sys/types.h>
#include "cgroup.h"
#include "sandboxrun.h"

struct sr_spawn_req {
    const sr_config *cfg;
    int prog_fd;                 /* checked program, O_CLOEXEC */
    int stdin_fd;                /* the program's stdin */
    int stdout_w, stderr_w;      /* write ends of the relay pipes */
    const struct sr_cgroup *cg;  /* procs_fd[] to join, or none */
    int drop_privileges;         /* running as root: become sandbox_uid/gid */
    uint64_t mem_threshold;      /* see sr_policy_build */
    uint64_t nproc_limit;        /* RLIMIT_NPROC when no cgroup caps threads, 0 for none */
    int in_memory;               /* prog_fd is a sealed memfd (see image.h) */
};

struct sr_child {
    pid_t pid;
    int pidfd;
    int listener;                /* seccomp notification fd, -1 when violations kill directly */
    int notify;                  /* violations are notified (even once the listener is closed) */
    uint64_t notif_next;         /* the id the next notification must have (notify.c) */
    uint64_t exec_ns;            /* when the program was let go */
    int unusable;                /* on failure: the exec itself was refused for the program's sake
                                  * (not executable, a bad ELF, arguments too long, held open for
                                  * writing), not for want of resources: nothing ran */
};

/* Returns 0 when the program is running; -1 with msg when it could not be
 * started (nothing runs then: the child is reaped; child->unusable says
 * whether the program is to blame). An exec refused with ETXTBSY (the file
 * open for writing, which in a multithreaded caller can be another
 * thread's launch for a moment) is tried again for up to 200 ms. */
int sr_spawn(const struct sr_spawn_req *req, struct sr_child *child, char *msg, size_t msglen);

#endif
