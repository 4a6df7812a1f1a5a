/*
 * Memory and process limits through a cgroup created beneath the launcher's
 * own (never elsewhere), v2 or v1; or, where none can be created (inside a
 * pod the cgroup filesystem is read-only), read-only use of the container's
 * own cgroup to learn about OOM kills.
 */
#ifndef SR_CGROUP_H
#define SR_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct sr_cgroup {
    int version;                 /* of the created cgroup: 2, 1, or 0 for none */
    int procs_fd[2];             /* cgroup.procs of the created cgroup(s); the child writes "0" */
    int dir_fd[2];               /* their directories (v1: memory, pids) */
    char path[2][PATH_MAX];      /* to remove them */
    int own_fd;                  /* the launcher's own memory cgroup (read-only use), or -1 */
    int own_version;
    long long own_oom_before;    /* its oom_kill count before the run */
    uint64_t own_limit;          /* its memory limit, 0 when unlimited or unknown */
    int pids_limited;            /* the created cgroup caps its tasks (pids.max was set) */
};

/* No cgroup, no descriptors. */
void sr_cgroup_init(struct sr_cgroup *cg);

/* Creates the run's cgroup when it can (limits set, nothing joined yet).
 * max_pids 0: one task (v1: no pids cgroup at all, seccomp forbids others).
 * Returns 0 (created or not: see version), -1 on a real failure (msg). */
int sr_cgroup_setup(struct sr_cgroup *cg, uint64_t memory, int max_pids, char *msg, size_t msglen);

/* OOM kills and limit hits during the run, and peak usage (0 when unknown).
 * 0, or -1 when a file that tells them could not be read. */
int sr_cgroup_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak);

/* Removes what setup created; closes descriptors. Safe to call twice. */
void sr_cgroup_destroy(struct sr_cgroup *cg);

#endif
