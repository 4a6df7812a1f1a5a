#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Where a hierarchy is mounted, and our path inside it. */
struct hierarchy { char dir[PATH_MAX]; int found; };

/* Does the comma-separated list contain word? */
static int has_word(const char *list, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (const char *p = list; p < list + len; ) {
        const char *comma = memchr(p, ',', (size_t)(list + len - p));
        size_t n = comma ? (size_t)(comma - p) : (size_t)(list + len - p);
        if (n == w && memcmp(p, word, w) == 0) return 1;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

/* Is word one of the space-separated tokens of text (v2 controller lists)? */
static int has_token(const char *text, const char *word)
{
    size_t w = strlen(word);
    for (const char *p = text; (p = strstr(p, word)); p += w) {
        int start = p == text || p[-1] == ' ' || p[-1] == '\n';
        int end = p[w] == '\0' || p[w] == ' ' || p[w] == '\n';
        if (start && end) return 1;
    }
    return 0;
}

/* Our paths in the v2 hierarchy and in v1's memory and pids hierarchies. */
struct own_paths { char v2[PATH_MAX], memory[PATH_MAX], pids[PATH_MAX]; };

static void read_own_paths(struct own_paths *o)
{
    char buf[8192];
    o->v2[0] = o->memory[0] = o->pids[0] = '\0';
    if (sr_read_small("/proc/self/cgroup", buf, sizeof buf) <= 0) return;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        size_t clen = (size_t)(c2 - c1 - 1);
        if (strncmp(line, "0::", 3) == 0) snprintf(o->v2, sizeof o->v2, "%s", c2 + 1);
        if (has_word(c1 + 1, clen, "memory")) snprintf(o->memory, sizeof o->memory, "%s", c2 + 1);
        if (has_word(c1 + 1, clen, "pids")) snprintf(o->pids, sizeof o->pids, "%s", c2 + 1);
    }
}

/* Where our cgroups are, from one read of /proc/self/cgroup and of
 * /proc/self/mountinfo. */
struct places { struct hierarchy v2, memory, pids; };

/* mount point + our path, for a mount of root (a subtree mount shows our path
 * relative to its root). */
static void place(struct hierarchy *h, const char *own, const char *root, const char *mnt)
{
    if (h->found || !own[0]) return;
    const char *rel = own;
    size_t rl = strlen(root);
    if (strcmp(root, "/") != 0) {
        if (strncmp(own, root, rl) != 0 || (own[rl] != '/' && own[rl] != '\0')) return;
        rel = own + rl;
    }
    if (strchr(mnt, '\\')) return;                 /* escaped names: not ours to guess */
    int len = snprintf(h->dir, sizeof h->dir, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
    if (len < 0 || (size_t)len >= sizeof h->dir - 64) return;   /* room for our child's name */
    h->found = 1;
}

/* The usual layout, checked by the files each hierarchy must have: saves
 * reading mountinfo (slow to generate). */
static int fast_place(struct hierarchy *h, const char *base, const char *own, const char *probe)
{
    char p[PATH_MAX];
    if (!own[0]) return 1;                          /* not in this hierarchy: nothing to find */
    int n = snprintf(h->dir, sizeof h->dir, "%s%s", base, strcmp(own, "/") == 0 ? "" : own);
    if (n < 0 || (size_t)n >= sizeof h->dir - 64) return 0;
    if ((size_t)snprintf(p, sizeof p, "%s/%s", h->dir, probe) >= sizeof p || access(p, F_OK) != 0) return 0;
    h->found = 1;
    return 1;
}

static int find_places_fast(struct places *pl, const struct own_paths *o)
{
    const char *v2base = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup"
                                                                              : "/sys/fs/cgroup/unified";
    return fast_place(&pl->v2, v2base, o->v2, "cgroup.procs") &&
           fast_place(&pl->memory, "/sys/fs/cgroup/memory", o->memory, "memory.limit_in_bytes") &&
           fast_place(&pl->pids, "/sys/fs/cgroup/pids", o->pids, "cgroup.procs");
}

static void find_places(struct places *pl)
{
    memset(pl, 0, sizeof *pl);
    struct own_paths *fo = malloc(sizeof *fo);
    if (!fo) return;
    read_own_paths(fo);
    int fast = find_places_fast(pl, fo);
    free(fo);
    if (fast) return;
    memset(pl, 0, sizeof *pl);
    size_t cap = 64 * 1024;
    char *info = malloc(cap);
    struct own_paths *o = malloc(sizeof *o);     /* 12 KiB: off the stack */
    if (!info || !o || sr_read_small("/proc/self/mountinfo", info, cap) <= 0) { free(info); free(o); return; }
    read_own_paths(o);
    for (char *line = info, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        /* id parent dev root mountpoint opts ... - fstype source superopts */
        char root[PATH_MAX], mnt[PATH_MAX];
        if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2) continue;
        char *dash = strstr(line, " - ");
        if (!dash) continue;
        char fstype[32], source[256], super[1024];
        if (sscanf(dash + 3, "%31s %255s %1023s", fstype, source, super) != 3) continue;
        if (strcmp(fstype, "cgroup2") == 0) {
            place(&pl->v2, o->v2, root, mnt);
        } else if (strcmp(fstype, "cgroup") == 0) {
            if (has_word(super, strlen(super), "memory")) place(&pl->memory, o->memory, root, mnt);
            if (has_word(super, strlen(super), "pids")) place(&pl->pids, o->pids, root, mnt);
        }
    }
    free(o);
    free(info);
}

static atomic_uint run_counter;

/* Our pid namespace, so that names made by launchers in other namespaces
 * (whose pids mean nothing here) are never mistaken for ours. */
static unsigned long long pidns_id(void)
{
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* A launcher killed with SIGKILL cannot remove its cgroup. The next one
 * does: directories named after a launcher of our pid namespace that no
 * longer exists, and empty (rmdir refuses a cgroup with processes). */
static void remove_stale(const char *parent, unsigned long long ns)
{
    /* Listing a cgroup directory is slow (every control file is an entry);
     * its link count says whether it has any subdirectory at all. */
    struct stat st;
    if (stat(parent, &st) == 0 && st.st_nlink <= 2) return;
    DIR *d = opendir(parent);
    if (!d) return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        unsigned long long ens;
        int pid;
        unsigned n;
        if (strncmp(e->d_name, "sandboxrun-", 11) != 0) continue;
        if (sscanf(e->d_name, "sandboxrun-%llu-%d-%u", &ens, &pid, &n) != 3 || ens != ns || pid <= 0) continue;
        if (kill(pid, 0) == 0 || errno != ESRCH) continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", parent, e->d_name) < sizeof path) rmdir(path);
    }
    closedir(d);
}

void sr_cgroup_init(struct sr_cgroup *cg)
{
    memset(cg, 0, sizeof *cg);
    cg->procs_fd[0] = cg->procs_fd[1] = cg->dir_fd[0] = cg->dir_fd[1] = cg->own_fd = -1;
}

static int make_child(const char *parent, char *path, size_t cap, int *dirfd)
{
    unsigned long long ns = pidns_id();
    remove_stale(parent, ns);
    snprintf(path, cap, "%s/sandboxrun-%llu-%d-%u", parent, ns, (int)getpid(), atomic_fetch_add(&run_counter, 1));
    if (mkdir(path, 0755) < 0) return -errno;
    *dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0) { int e = -errno; rmdir(path); path[0] = '\0'; return e; }
    return 0;
}

static int setup_v2(struct sr_cgroup *cg, const char *parent, uint64_t memory, int max_pids)
{
    char buf[512], val[32];
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cgroup.controllers", parent);
    if (sr_read_small(p, buf, sizeof buf) < 0 || !has_token(buf, "memory")) return -ENOTSUP;
    snprintf(p, sizeof p, "%s/cgroup.subtree_control", parent);
    if (sr_read_small(p, buf, sizeof buf) < 0) return -ENOTSUP;
    if (!has_token(buf, "memory")) {
        /* Fails (EBUSY) when our cgroup holds processes, which the v2 rules
         * forbid beside enabled controllers: then we have no cgroup. */
        int dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return -errno;
        int rc = sr_write_file_at(dfd, "cgroup.subtree_control", has_token(buf, "pids") ? "+memory" : "+memory +pids");
        close(dfd);
        if (rc) return rc;
    }
    int rc = make_child(parent, cg->path[0], sizeof cg->path[0], &cg->dir_fd[0]);
    if (rc) return rc;
    cg->version = 2;
    if ((rc = sr_write_file_at(cg->dir_fd[0], "memory.max", sr_fmt(val, sizeof val, "%llu", (unsigned long long)memory))))
        return rc;
    sr_write_file_at(cg->dir_fd[0], "memory.swap.max", "0");       /* absent without swap accounting */
    sr_write_file_at(cg->dir_fd[0], "memory.oom.group", "1");
    cg->pids_limited = sr_write_file_at(cg->dir_fd[0], "pids.max", sr_fmt(val, sizeof val, "%d", max_pids > 0 ? max_pids : 1)) == 0;
    cg->procs_fd[0] = openat(cg->dir_fd[0], "cgroup.procs", O_WRONLY | O_CLOEXEC);
    return cg->procs_fd[0] < 0 ? -errno : 0;
}

static int setup_v1(struct sr_cgroup *cg, const char *mem_parent, const struct hierarchy *pids,
                    uint64_t memory, int max_pids)
{
    char val[32];
    int rc = make_child(mem_parent, cg->path[0], sizeof cg->path[0], &cg->dir_fd[0]);
    if (rc) return rc;
    cg->version = 1;
    sr_fmt(val, sizeof val, "%llu", (unsigned long long)memory);
    if ((rc = sr_write_file_at(cg->dir_fd[0], "memory.limit_in_bytes", val))) return rc;
    /* With swap accounting, memory+swap gets the same limit: no swapping out. */
    sr_write_file_at(cg->dir_fd[0], "memory.memsw.limit_in_bytes", val);
    sr_write_file_at(cg->dir_fd[0], "memory.swappiness", "0");
    cg->procs_fd[0] = openat(cg->dir_fd[0], "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (cg->procs_fd[0] < 0) return -errno;
    /* pids is a separate hierarchy in v1; only for threads (seccomp already
     * forbids new processes: in the other profiles it would cost a cgroup
     * for nothing). */
    if (max_pids > 0 && pids->found && make_child(pids->dir, cg->path[1], sizeof cg->path[1], &cg->dir_fd[1]) == 0) {
        if (sr_write_file_at(cg->dir_fd[1], "pids.max", sr_fmt(val, sizeof val, "%d", max_pids)) == 0)
            cg->procs_fd[1] = openat(cg->dir_fd[1], "cgroup.procs", O_WRONLY | O_CLOEXEC);
        cg->pids_limited = cg->procs_fd[1] >= 0;
    }
    return 0;
}

static void own_cgroup(struct sr_cgroup *cg, const struct places *pl)
{
    char buf[4096];
    if (pl->v2.found) {
        int fd = open(pl->v2.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && sr_read_small_at(fd, "memory.events", buf, sizeof buf) > 0) {
            cg->own_fd = fd;
            cg->own_version = 2;
            cg->own_oom_before = sr_keyed_value(buf, "oom_kill");
            if (sr_read_small_at(fd, "memory.max", buf, sizeof buf) > 0 && strncmp(buf, "max", 3) != 0)
                cg->own_limit = strtoull(buf, NULL, 10);
            return;
        }
        if (fd >= 0) close(fd);
    }
    if (pl->memory.found) {
        int fd = open(pl->memory.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && sr_read_small_at(fd, "memory.oom_control", buf, sizeof buf) > 0) {
            cg->own_fd = fd;
            cg->own_version = 1;
            cg->own_oom_before = sr_keyed_value(buf, "oom_kill");
            if (sr_read_small_at(fd, "memory.limit_in_bytes", buf, sizeof buf) > 0) {
                unsigned long long l = strtoull(buf, NULL, 10);
                if (l < (1ull << 60)) cg->own_limit = l;   /* "unlimited" is a huge page-rounded number */
            }
            return;
        }
        if (fd >= 0) close(fd);
    }
}

int sr_cgroup_setup(struct sr_cgroup *cg, uint64_t memory, int max_pids, char *msg, size_t msglen)
{
    sr_cgroup_init(cg);
    struct places pl;
    find_places(&pl);
    int rc = -ENOENT;
    /* v2 first, if it has the memory controller; else v1's memory hierarchy
     * (hybrid hosts mount both, with memory on v1). Nothing is tried where
     * we may not write (unprivileged, or a read-only cgroup fs in a pod). */
    if (pl.v2.found && access(pl.v2.dir, W_OK) == 0) {
        rc = setup_v2(cg, pl.v2.dir, memory, max_pids);
        if (rc && cg->version) { sr_cgroup_destroy(cg); sr_cgroup_init(cg); }
    }
    if (rc && pl.memory.found && access(pl.memory.dir, W_OK) == 0) {
        rc = setup_v1(cg, pl.memory.dir, &pl.pids, memory, max_pids);
        if (rc && cg->version) { sr_cgroup_destroy(cg); sr_cgroup_init(cg); }
    }
    (void)msg; (void)msglen;
    if (rc) own_cgroup(cg, &pl);     /* no cgroup of our own: learn what the container's says */
    return 0;
}

int sr_cgroup_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak)
{
    char buf[4096];
    *oom_kills = 0; *limit_hits = 0; *peak = 0;
    if (cg->version == 2) {
        if (sr_read_small_at(cg->dir_fd[0], "memory.events", buf, sizeof buf) <= 0) return -1;
        {
            long long v = sr_keyed_value(buf, "oom_kill");
            if (v > 0) *oom_kills = v;
            v = sr_keyed_value(buf, "max");
            if (v > 0) *limit_hits = v;
        }
        if (sr_read_small_at(cg->dir_fd[0], "memory.peak", buf, sizeof buf) > 0) *peak = strtoull(buf, NULL, 10);
    } else if (cg->version == 1) {
        if (sr_read_small_at(cg->dir_fd[0], "memory.oom_control", buf, sizeof buf) <= 0) return -1;
        long long v = sr_keyed_value(buf, "oom_kill");
        if (v > 0) *oom_kills = v;
        if (sr_read_small_at(cg->dir_fd[0], "memory.failcnt", buf, sizeof buf) > 0) *limit_hits = strtoll(buf, NULL, 10);
        if (sr_read_small_at(cg->dir_fd[0], "memory.max_usage_in_bytes", buf, sizeof buf) > 0) *peak = strtoull(buf, NULL, 10);
    } else if (cg->own_fd >= 0) {
        const char *file = cg->own_version == 2 ? "memory.events" : "memory.oom_control";
        if (sr_read_small_at(cg->own_fd, file, buf, sizeof buf) > 0) {
            long long v = sr_keyed_value(buf, "oom_kill");
            if (v > cg->own_oom_before && cg->own_oom_before >= 0) *oom_kills = v - cg->own_oom_before;
        }
    }
    return 0;
}

void sr_cgroup_destroy(struct sr_cgroup *cg)
{
    for (int i = 0; i < 2; i++) {
        if (cg->procs_fd[i] >= 0) close(cg->procs_fd[i]);
        if (cg->dir_fd[i] >= 0) close(cg->dir_fd[i]);
        cg->procs_fd[i] = cg->dir_fd[i] = -1;
        if (cg->path[i][0]) {
            /* The reaped program may take a moment to leave the cgroup. */
            for (int tries = 0; rmdir(cg->path[i]) < 0 && errno == EBUSY && tries < 200; tries++) {
                struct timespec ts = { 0, 1000000 };
                nanosleep(&ts, NULL);
            }
            cg->path[i][0] = '\0';
        }
    }
    if (cg->own_fd >= 0) close(cg->own_fd);
    cg->own_fd = -1;
    cg->version = 0;
}
