/*
 * A run's cgroup in the v1 hierarchies: memory.limit_in_bytes (and
 * memory+swap alike) in the memory hierarchy, pids.max in the separate pids
 * one when threads are allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

/* The pids cgroup, only for threads (seccomp already forbids new tasks in
 * the other profiles: there it would cost a cgroup for nothing). */
static void setup_pids(struct sr_cgroup *cg, const struct sr_cg_hierarchy *pids, int max_pids, char *note, size_t notelen)
{
    char val[32];
    if (!pids->found || access(pids->dir, W_OK) != 0) {
        sr_fmt(note, notelen, "cgroup v1: no thread cap, the pids hierarchy is %s", pids->found ? "read-only" : "absent");
        return;
    }
    int rc = sr_cg_make_child(pids->dir, cg->path[1], sizeof cg->path[1], &cg->dir_fd[1]);
    if (!rc) rc = sr_cg_write_required(cg->dir_fd[1], "pids.max", sr_fmt(val, sizeof val, "%d", max_pids));
    if (!rc && (cg->procs_fd[1] = openat(cg->dir_fd[1], "cgroup.procs", O_WRONLY | O_CLOEXEC)) < 0) rc = -errno;
    cg->pids_limited = rc == 0;
    if (rc) sr_fmt(note, notelen, "cgroup v1: no thread cap, pids.max cannot be set (%s)", strerror(-rc));
}

int sr_cg_v1_setup(struct sr_cgroup *cg, const char *mem_parent, const struct sr_cg_hierarchy *pids,
                   uint64_t memory, int max_pids, char *note, size_t notelen)
{
    char val[32];
    int rc = sr_cg_make_child(mem_parent, cg->path[0], sizeof cg->path[0], &cg->dir_fd[0]);
    if (rc) {
        sr_fmt(note, notelen, "cgroup v1 at %.200s: cannot create the run's cgroup (%s)", mem_parent, strerror(-rc));
        return rc;
    }
    cg->version = 1;
    sr_fmt(val, sizeof val, "%llu", (unsigned long long)memory);
    if ((rc = sr_cg_write_required(cg->dir_fd[0], "memory.limit_in_bytes", val))) {
        sr_fmt(note, notelen, "cgroup v1: memory.limit_in_bytes cannot be set (%s)", strerror(-rc));
        return rc;
    }
    /* With swap accounting, memory+swap gets the same limit: no swapping out. */
    sr_cg_write_optional(cg->dir_fd[0], "memory.memsw.limit_in_bytes", val);
    sr_cg_write_optional(cg->dir_fd[0], "memory.swappiness", "0");
    cg->procs_fd[0] = openat(cg->dir_fd[0], "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (cg->procs_fd[0] < 0) {
        rc = -errno;
        sr_fmt(note, notelen, "cgroup v1: cgroup.procs cannot be opened (%s)", strerror(-rc));
        return rc;
    }
    if (max_pids > 0) setup_pids(cg, pids, max_pids, note, notelen);
    return 0;
}

int sr_cg_v1_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak)
{
    char buf[1024];
    int rc = 0;
    *oom_kills = *limit_hits = -1;
    *peak = 0;
    if (sr_read_small_at(cg->dir_fd[0], "memory.oom_control", buf, sizeof buf) > 0)
        *oom_kills = sr_keyed_value(buf, "oom_kill");            /* since 4.13 */
    if (sr_read_small_at(cg->dir_fd[0], "memory.failcnt", buf, sizeof buf) > 0 && buf[0] >= '0' && buf[0] <= '9')
        *limit_hits = strtoll(buf, NULL, 10);
    if (sr_read_small_at(cg->dir_fd[0], "memory.max_usage_in_bytes", buf, sizeof buf) > 0 && buf[0] >= '0' && buf[0] <= '9')
        *peak = strtoull(buf, NULL, 10);
    else
        rc = -1;
    return *oom_kills < 0 || *limit_hits < 0 ? -1 : rc;
}
