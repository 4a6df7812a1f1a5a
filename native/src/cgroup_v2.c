/*
 * A run's cgroup in the v2 hierarchy: memory.max is the limit, pids.max the
 * thread cap, both enabled in the parent's cgroup.subtree_control first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

/* Makes sure memory (required) and pids (wanted: the thread cap) are
 * enabled for the parent's children. 0 when memory is; *pids says whether
 * pids is. Enabling fails (EBUSY) when the parent holds processes, which
 * v2 forbids beside enabled controllers (the root cgroup excepted). */
static int enable_controllers(const char *parent, int *pids)
{
    char avail[512], enabled[512];
    *pids = 0;
    int dfd = openat(AT_FDCWD, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -errno;
    int rc = -ENOTSUP;
    if (sr_read_small_at(dfd, "cgroup.controllers", avail, sizeof avail) < 0 || !sr_cg_has_token(avail, "memory") ||
        sr_read_small_at(dfd, "cgroup.subtree_control", enabled, sizeof enabled) < 0)
        goto out;
    if (!sr_cg_has_token(enabled, "memory") && (rc = sr_cg_write_required(dfd, "cgroup.subtree_control", "+memory")))
        goto out;
    rc = 0;
    /* Also when memory was enabled already (by an earlier run, or by
     * whoever made the parent) but pids was not. */
    *pids = sr_cg_has_token(enabled, "pids") ||
            (sr_cg_has_token(avail, "pids") && sr_cg_write_optional(dfd, "cgroup.subtree_control", "+pids") == 0);
out:
    close(dfd);
    return rc;
}

int sr_cg_v2_setup(struct sr_cgroup *cg, const char *parent, uint64_t memory, int max_pids, char *note, size_t notelen)
{
    char val[32];
    int pids;
    int rc = enable_controllers(parent, &pids);
    if (rc) {
        sr_fmt(note, notelen, "cgroup v2 at %.200s: memory controller unavailable (%s)", parent, strerror(-rc));
        return rc;
    }
    if ((rc = sr_cg_make_child(parent, cg->path[0], sizeof cg->path[0], &cg->dir_fd[0]))) {
        sr_fmt(note, notelen, "cgroup v2 at %.200s: cannot create the run's cgroup (%s)", parent, strerror(-rc));
        return rc;
    }
    cg->version = 2;
    if ((rc = sr_cg_write_required(cg->dir_fd[0], "memory.max", sr_fmt(val, sizeof val, "%llu", (unsigned long long)memory)))) {
        sr_fmt(note, notelen, "cgroup v2: memory.max cannot be set (%s)", strerror(-rc));
        return rc;
    }
    sr_cg_write_optional(cg->dir_fd[0], "memory.swap.max", "0");     /* absent without swap accounting */
    sr_cg_write_optional(cg->dir_fd[0], "memory.oom.group", "1");    /* absent before 4.19 */
    cg->procs_fd[0] = openat(cg->dir_fd[0], "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (cg->procs_fd[0] < 0) {
        rc = -errno;
        sr_fmt(note, notelen, "cgroup v2: cgroup.procs cannot be opened (%s)", strerror(-rc));
        return rc;
    }
    rc = pids ? sr_cg_write_required(cg->dir_fd[0], "pids.max", sr_fmt(val, sizeof val, "%d", max_pids > 0 ? max_pids : 1))
              : -ENOTSUP;
    cg->pids_limited = rc == 0;
    if (rc) sr_fmt(note, notelen, "cgroup v2: no thread cap, pids.max cannot be set (%s)", strerror(-rc));
    return 0;
}

int sr_cg_v2_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak)
{
    char buf[1024];
    int rc = 0;
    *oom_kills = *limit_hits = -1;
    *peak = 0;
    if (sr_read_small_at(cg->dir_fd[0], "memory.events", buf, sizeof buf) > 0) {
        *oom_kills = sr_keyed_value(buf, "oom_kill");
        *limit_hits = sr_keyed_value(buf, "max");
    }
    if (*oom_kills < 0 || *limit_hits < 0) rc = -1;
    ssize_t n = sr_read_small_at(cg->dir_fd[0], "memory.peak", buf, sizeof buf);
    if (n < 0 && errno == ENOENT) return rc;          /* a kernel before 5.19 keeps no peak */
    if (n <= 0 || buf[0] < '0' || buf[0] > '9') return -1;
    *peak = strtoull(buf, NULL, 10);
    return rc;
}
