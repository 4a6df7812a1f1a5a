/*
 * The run's cgroup: which kind this host allows (v2 with the memory
 * controller first, else v1's memory hierarchy, else only the container's
 * own to read), what was made, and its removal. The kinds themselves are in
 * cgroup_v2.c, cgroup_v1.c and cgroup_own.c; finding them in cgroup_find.c.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

int sr_cg_write_required(int dirfd, const char *name, const char *value)
{
    return sr_write_file_at(dirfd, name, value);
}

/* The same write; the name tells the reader that its failure is expected
 * on some hosts and that the caller goes on without it. */
int sr_cg_write_optional(int dirfd, const char *name, const char *value)
{
    return sr_cg_write_required(dirfd, name, value);
}

int sr_cg_has_token(const char *text, const char *word)
{
    size_t w = strlen(word);
    for (const char *p = text; (p = strstr(p, word)); p += w) {
        int start = p == text || p[-1] == ' ' || p[-1] == '\n';
        int end = p[w] == '\0' || p[w] == ' ' || p[w] == '\n';
        if (start && end) return 1;
    }
    return 0;
}

static atomic_uint run_counter;

/* Our pid namespace, so that names made by launchers in other namespaces
 * (whose pids mean nothing here) are never mistaken for ours. */
static unsigned long long pidns_id(void)
{
    static atomic_ullong known;              /* a process never changes its pid namespace */
    unsigned long long id = atomic_load(&known);
    struct stat st;
    if (!id && stat("/proc/self/ns/pid", &st) == 0) atomic_store(&known, id = (unsigned long long)st.st_ino);
    return id;
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
    char path[SR_CGROUP_PATH_MAX + 256];
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

int sr_cg_make_child(const char *parent, char *path, size_t cap, int *dirfd)
{
    unsigned long long ns = pidns_id();
    remove_stale(parent, ns);
    snprintf(path, cap, "%s/sandboxrun-%llu-%d-%u", parent, ns, (int)getpid(), atomic_fetch_add(&run_counter, 1));
    if (mkdir(path, 0755) < 0) { int e = -errno; path[0] = '\0'; return e; }
    *dirfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0) { int e = -errno; rmdir(path); path[0] = '\0'; return e; }
    return 0;
}

void sr_cgroup_init(struct sr_cgroup *cg)
{
    memset(cg, 0, sizeof *cg);
    cg->procs_fd[0] = cg->procs_fd[1] = cg->dir_fd[0] = cg->dir_fd[1] = cg->own_fd = -1;
    cg->own_oom_before = -1;
}

int sr_cgroup_setup(struct sr_cgroup *cg, uint64_t memory, int max_pids, char *msg, size_t msglen)
{
    char note[320] = "";
    sr_cgroup_init(cg);
    struct sr_cg_places pl;
    sr_cg_find(&pl);
    int rc = -ENOENT;
    /* v2 first, if it has the memory controller; else v1's memory hierarchy
     * (hybrid hosts mount both, with memory on v1). Nothing is tried where
     * we may not write (unprivileged, or a read-only cgroup fs in a pod). */
    if (pl.v2.found && access(pl.v2.dir, W_OK) == 0) {
        rc = sr_cg_v2_setup(cg, pl.v2.dir, memory, max_pids, note, sizeof note);
        if (rc && cg->version) { sr_cgroup_destroy(cg); sr_cgroup_init(cg); }
    }
    if (rc && pl.memory.found && access(pl.memory.dir, W_OK) == 0) {
        note[0] = '\0';                          /* what v2 lacked does not matter now */
        rc = sr_cg_v1_setup(cg, pl.memory.dir, &pl.pids, memory, max_pids, note, sizeof note);
        if (rc && cg->version) { sr_cgroup_destroy(cg); sr_cgroup_init(cg); }
    }
    if (rc) {
        /* No cgroup of our own: learn what the container's says. */
        if (!note[0]) sr_fmt(note, sizeof note, "no writable cgroup: memory left to the supervisor");
        sr_cg_own_open(cg, &pl);
    }
    if (msg && msglen) sr_fmt(msg, msglen, "%s", note);
    return 0;
}

int sr_cgroup_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak)
{
    *oom_kills = *limit_hits = 0;
    *peak = 0;
    if (cg->version == 2) return sr_cg_v2_stats(cg, oom_kills, limit_hits, peak);
    if (cg->version == 1) return sr_cg_v1_stats(cg, oom_kills, limit_hits, peak);
    if (cg->own_fd >= 0) return sr_cg_own_stats(cg, oom_kills);
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
    cg->pids_limited = 0;
}
