/*
 * Discovery: where the launcher's own cgroups are, in the v2 hierarchy and
 * in v1's memory and pids hierarchies. Our path in each comes from
 * /proc/self/cgroup; where each hierarchy is mounted, from the usual layout
 * under /sys/fs/cgroup when its files are there, else from
 * /proc/self/mountinfo (slower to generate).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

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

/* Our paths in the v2 hierarchy and in v1's memory and pids hierarchies:
 * pointers into the text of /proc/self/cgroup, "" where we are in none. */
struct own_paths { const char *v2, *memory, *pids; };

static void parse_own_paths(char *text, struct own_paths *o)
{
    o->v2 = o->memory = o->pids = "";
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        size_t clen = (size_t)(c2 - c1 - 1);
        if (strncmp(line, "0::", 3) == 0) o->v2 = c2 + 1;
        if (has_word(c1 + 1, clen, "memory")) o->memory = c2 + 1;
        if (has_word(c1 + 1, clen, "pids")) o->pids = c2 + 1;
    }
}

/* mount point + our path, for a mount of root (a subtree mount shows our path
 * relative to its root). */
static void place(struct sr_cg_hierarchy *h, const char *own, const char *root, const char *mnt)
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

/* The usual layout, checked by the files each hierarchy must have. */
static int fast_place(struct sr_cg_hierarchy *h, const char *base, const char *own, const char *probe)
{
    char p[sizeof h->dir + 32];
    if (!own[0]) return 1;                          /* not in this hierarchy: nothing to find */
    int n = snprintf(h->dir, sizeof h->dir, "%s%s", base, strcmp(own, "/") == 0 ? "" : own);
    if (n < 0 || (size_t)n >= sizeof h->dir - 64) return 0;
    if ((size_t)snprintf(p, sizeof p, "%s/%s", h->dir, probe) >= sizeof p || access(p, F_OK) != 0) return 0;
    h->found = 1;
    return 1;
}

static int find_fast(struct sr_cg_places *pl, const struct own_paths *o)
{
    const char *v2base = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "/sys/fs/cgroup"
                                                                              : "/sys/fs/cgroup/unified";
    return fast_place(&pl->v2, v2base, o->v2, "cgroup.procs") &&
           fast_place(&pl->memory, "/sys/fs/cgroup/memory", o->memory, "memory.limit_in_bytes") &&
           fast_place(&pl->pids, "/sys/fs/cgroup/pids", o->pids, "cgroup.procs");
}

static void find_from_mountinfo(struct sr_cg_places *pl, const struct own_paths *o)
{
    /* A node with many mounts (a Kubernetes node has hundreds) has a long
     * mountinfo: grow the buffer until it fits. */
    char *info = NULL;
    ssize_t got = -1;
    for (size_t cap = 64 * 1024; cap <= 16 * 1024 * 1024 && got < 0; cap *= 4) {
        free(info);
        if (!(info = malloc(cap))) return;
        got = sr_read_small("/proc/self/mountinfo", info, cap);
        if (got < 0 && errno != EFBIG) break;
    }
    if (got <= 0) { free(info); return; }
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
    free(info);
}

/* No allocation on the usual path: the process's first malloc (musl sets
 * its heap up) and the free's munmap cost ~0.25 ms on these VMs. */
void sr_cg_find(struct sr_cg_places *pl)
{
    char small[2048], *text = small, *big = NULL;
    memset(pl, 0, sizeof *pl);
    if (sr_read_small("/proc/self/cgroup", small, sizeof small) < 0) {
        size_t cap = 64 * 1024;
        if (errno != EFBIG || !(big = malloc(cap)) || sr_read_small("/proc/self/cgroup", big, cap) < 0) {
            free(big);
            return;
        }
        text = big;
    }
    struct own_paths o;
    parse_own_paths(text, &o);
    if (!find_fast(pl, &o)) {
        memset(pl, 0, sizeof *pl);
        find_from_mountinfo(pl, &o);
    }
    free(big);
}
