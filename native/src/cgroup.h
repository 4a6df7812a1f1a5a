/*
 * Memory and process limits through a cgroup created beneath the launcher's
 * own (never elsewhere), v2 or v1; or, where none can be created (inside a
 * pod the cgroup filesystem is read-only), read-only use of the container's
 * own cgroup to learn about OOM kills.
 *
 * The concerns, one file each (as nsjail splits them): cgroup_find.c finds
 * where our cgroups are; cgroup_v2.c and cgroup_v1.c set up and read a
 * run's cgroup in each version; cgroup_own.c reads the container's own;
 * cgroup.c chooses among them and removes what was made.
 */
#ifndef SR_CGROUP_H
#define SR_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* The longest cgroup directory path handled (a Kubernetes pod's is ~200
 * bytes); a longer one is not used (no cgroup rather than a cut path). */
#define SR_CGROUP_PATH_MAX 1024

struct sr_cgroup {
    int version;                 /* of the created cgroup: 2, 1, or 0 for none */
    int pids_limited;            /* 1: the created cgroup caps the run's tasks (pids.max was set);
                                  * 0: nothing does, the supervisor must count threads itself */
    int procs_fd[2];             /* cgroup.procs of the created cgroup(s); the child writes "0" */
    int dir_fd[2];               /* their directories (v1: memory, pids) */
    char path[2][SR_CGROUP_PATH_MAX]; /* to remove them */
    int own_fd;                  /* the launcher's own memory cgroup (read-only use), or -1 */
    int own_version;
    long long own_oom_before;    /* its oom_kill count before the run, -1 when unreadable */
    uint64_t own_limit;          /* its memory limit, 0 when unlimited or unknown */
};

/* No cgroup, no descriptors. */
void sr_cgroup_init(struct sr_cgroup *cg);

/* Creates the run's cgroup when it can (limits set, nothing joined yet):
 * memory limited to memory bytes, tasks to max_pids (0: one task; on v1
 * that makes no pids cgroup at all, as seccomp forbids new tasks there, and
 * pids_limited stays 0). Where no cgroup can be created, opens the
 * container's own for reading. msg (may be NULL) gets a note for a person
 * on what could not be set up (no cgroup, no thread cap), "" when all was.
 * Returns 0 (created or not: see version and pids_limited). */
int sr_cgroup_setup(struct sr_cgroup *cg, uint64_t memory, int max_pids, char *msg, size_t msglen);

/* After the run: OOM kills, times the memory limit was hit, and peak memory
 * usage of the run's cgroup, each read from its own file. Returns 0 when
 * every figure was read, -1 when a file it needs could not be read: then
 * each figure it could not read is -1 (oom_kills, limit_hits) or 0 (peak),
 * and must not be taken for "nothing happened".
 * Without a cgroup of ours: oom_kills is the container's new OOM kills
 * during the run (-1 and a return of -1 when unreadable), limit_hits and
 * peak are 0 (the container's figures include the launcher's own; the
 * supervisor measures the program from /proc instead). With no cgroup at
 * all: all three 0, return 0. On v2 kernels before 5.19 (no memory.peak)
 * peak is 0 and that alone is not a failure. */
int sr_cgroup_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak);

/* Removes what setup created; closes descriptors. Safe to call twice. */
void sr_cgroup_destroy(struct sr_cgroup *cg);

#endif
