/*
 * The container's own memory cgroup, where no cgroup of ours can be made
 * (a pod's cgroup filesystem is read-only): read, never written, to learn
 * its limit and whether the kernel OOM-killed something in it during the
 * run.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

/* Opens dir when its OOM count can be read; 0 when it could. */
static int open_own(struct sr_cgroup *cg, const char *dir, int version)
{
    char buf[1024];
    const char *events = version == 2 ? "memory.events" : "memory.oom_control";
    int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (sr_read_small_at(fd, events, buf, sizeof buf) <= 0) { close(fd); return -1; }
    cg->own_fd = fd;
    cg->own_version = version;
    cg->own_oom_before = sr_keyed_value(buf, "oom_kill");        /* -1: this kernel does not count them */
    if (version == 2) {
        if (sr_read_small_at(fd, "memory.max", buf, sizeof buf) > 0 && strncmp(buf, "max", 3) != 0)
            cg->own_limit = strtoull(buf, NULL, 10);
    } else if (sr_read_small_at(fd, "memory.limit_in_bytes", buf, sizeof buf) > 0) {
        unsigned long long l = strtoull(buf, NULL, 10);
        if (l < (1ull << 60)) cg->own_limit = l;   /* "unlimited" is a huge page-rounded number */
    }
    return 0;
}

void sr_cg_own_open(struct sr_cgroup *cg, const struct sr_cg_places *pl)
{
    if (pl->v2.found && open_own(cg, pl->v2.dir, 2) == 0) return;
    if (pl->memory.found) open_own(cg, pl->memory.dir, 1);
}

int sr_cg_own_stats(const struct sr_cgroup *cg, long long *oom_kills)
{
    char buf[1024];
    *oom_kills = -1;
    const char *events = cg->own_version == 2 ? "memory.events" : "memory.oom_control";
    if (cg->own_oom_before < 0 || sr_read_small_at(cg->own_fd, events, buf, sizeof buf) <= 0) return -1;
    long long now = sr_keyed_value(buf, "oom_kill");
    if (now < 0) return -1;
    *oom_kills = now > cg->own_oom_before ? now - cg->own_oom_before : 0;
    return 0;
}
