#include "memwatch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define STATUS_CAP_START 4096
#define STATUS_CAP_MAX (4u << 20)     /* 65,536 supplementary groups fit */

/* The program's pid in the namespace of the /proc we read: the same as ours
 * unless /proc belongs to another pid namespace (a bare `unshare --pid`);
 * then the pidfd's fdinfo says it (its Pid: line is in /proc's namespace;
 * 0 when the program is not visible there). */
static pid_t pid_in_proc(int pidfd, pid_t pid)
{
    char self[32], path[64], buf[1024];
    ssize_t n = readlink("/proc/self", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        if (atoi(self) == (int)getpid()) return pid;
    }
    if (sr_read_small(sr_fmt(path, sizeof path, "/proc/self/fdinfo/%d", pidfd), buf, sizeof buf) <= 0) return -1;
    const char *p = strstr(buf, "\nPid:");
    if (!p && strncmp(buf, "Pid:", 4) == 0) p = buf - 1;
    return p ? (pid_t)strtol(p + 5, NULL, 10) : -1;
}

static int open_files(struct sr_memwatch *w, int tid)
{
    char path[96];
    if (tid) sr_fmt(path, sizeof path, "/proc/%d/task/%d/status", (int)w->pid, tid);
    else sr_fmt(path, sizeof path, "/proc/%d/status", (int)w->pid);
    int s = open(path, O_RDONLY | O_CLOEXEC);
    if (s < 0) return -1;
    int m = -1;
    if (w->count_maps) {
        if (tid) sr_fmt(path, sizeof path, "/proc/%d/task/%d/maps", (int)w->pid, tid);
        else sr_fmt(path, sizeof path, "/proc/%d/maps", (int)w->pid);
        if ((m = open(path, O_RDONLY | O_CLOEXEC)) < 0) { close(s); return -1; }
    }
    if (w->status_fd >= 0) close(w->status_fd);
    if (w->maps_fd >= 0) close(w->maps_fd);
    w->status_fd = s;
    w->maps_fd = m;
    w->following = tid;
    return 0;
}

int sr_memwatch_open(struct sr_memwatch *w, int pidfd, pid_t pid, int count_maps, char *msg, size_t msglen)
{
    memset(w, 0, sizeof *w);
    w->status_fd = w->maps_fd = -1;
    w->count_maps = count_maps;
    w->pid = pid_in_proc(pidfd, pid);
    if (w->pid <= 0) {
        sr_fmt(msg, msglen, "the program's memory cannot be watched: it is not visible in /proc "
               "(a /proc of another pid namespace is mounted)");
        return -1;
    }
    w->cap = STATUS_CAP_START;
    w->buf = malloc(w->cap);
    if (!w->buf) { sr_fmt(msg, msglen, "out of memory"); return -1; }
    if (open_files(w, 0) < 0) {
        sr_fmt(msg, msglen, "the program's memory cannot be watched: /proc/%d/status: %s", (int)w->pid, strerror(errno));
        return -1;
    }
    return 0;
}

/* The whole status file, however long. Bytes, or -1. */
static ssize_t read_status(struct sr_memwatch *w)
{
    for (;;) {
        ssize_t n = pread(w->status_fd, w->buf, w->cap - 1, 0);
        if (n < 0) return -1;
        if ((size_t)n < w->cap - 1) { w->buf[n] = '\0'; return n; }
        if (w->cap >= STATUS_CAP_MAX) { errno = EFBIG; return -1; }
        char *bigger = realloc(w->buf, w->cap * 2);
        if (!bigger) return -1;
        w->buf = bigger;
        w->cap *= 2;
    }
}

static int field(const char *buf, const char *name, uint64_t *out)
{
    const char *p = strstr(buf, name);
    if (!p) return -1;
    *out = strtoull(p + strlen(name), NULL, 10);
    return 0;
}

/* Mappings, one a line, counted up to budget. */
static int count_maps(struct sr_memwatch *w, uint64_t budget, uint64_t *out)
{
    char chunk[16384];
    uint64_t lines = 0;
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(w->maps_fd, chunk, sizeof chunk, off);
        if (n < 0) return -1;
        if (n == 0) break;
        for (const char *p = chunk; (p = memchr(p, '\n', (size_t)(chunk + n - p))); p++) lines++;
        off += n;
        if (lines > budget) break;
    }
    *out = lines;
    return 0;
}

/* Has this task an address space? A task past exit_mm has none: its
 * status shows no Vm lines, or it is gone altogether (ESRCH, ENOENT). */
static int live(ssize_t n, const char *buf)
{
    return n > 0 && strstr(buf, "\nVmRSS:") != NULL;
}

static int gone(int err)
{
    return err == ESRCH || err == ENOENT;
}

/* Another thread of the program whose files can be opened and which still
 * has the address space, instead of the one that went away. 0 found; 1 none
 * (every thread is ending); -1 /proc could not be read. */
static int follow_live_thread(struct sr_memwatch *w)
{
    char path[64];
    DIR *d = opendir(sr_fmt(path, sizeof path, "/proc/%d/task", (int)w->pid));
    if (!d) return gone(errno) ? 1 : -1;
    int rc = 1;
    struct dirent *e;
    while (rc == 1 && (e = readdir(d))) {
        int tid = atoi(e->d_name);
        if (tid <= 0 || tid == w->following) continue;
        if (open_files(w, tid) < 0) {
            if (!gone(errno)) rc = -1;
            continue;
        }
        ssize_t n = read_status(w);
        if (live(n, w->buf)) rc = 0;
        else if (n < 0 && !gone(errno)) rc = -1;
    }
    closedir(d);
    return rc;
}

int sr_memwatch_read(struct sr_memwatch *w, struct sr_mem_sample *s, uint64_t map_budget)
{
    memset(s, 0, sizeof *s);
    if (w->status_fd < 0) return -1;
    /* A thread chain can end the followed thread between any two looks:
     * each try takes another live one. */
    for (int tries = 0; ; tries++) {
        ssize_t n = read_status(w);
        if (live(n, w->buf)) break;
        if (n < 0 && !gone(errno)) return -1;
        int rc = tries < 4 ? follow_live_thread(w) : 1;
        if (rc != 0) return rc;
    }
    uint64_t rss, pte = 0, hwm, threads;
    if (field(w->buf, "\nVmRSS:", &rss) || field(w->buf, "\nVmHWM:", &hwm) ||
        field(w->buf, "\nThreads:", &threads))
        return -1;
    field(w->buf, "\nVmPTE:", &pte);           /* absent on kernels without it: the others still hold */
    s->rss = (rss + pte) * 1024;
    s->hwm = hwm * 1024;
    s->threads = (int)threads;
    if (w->count_maps && count_maps(w, map_budget, &s->maps) < 0) return gone(errno) ? 1 : -1;
    return 0;
}

void sr_memwatch_close(struct sr_memwatch *w)
{
    if (w->status_fd >= 0) close(w->status_fd);
    if (w->maps_fd >= 0) close(w->maps_fd);
    w->status_fd = w->maps_fd = -1;
    free(w->buf);
    w->buf = NULL;
}
