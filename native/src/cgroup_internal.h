/* What the cgroup_*.c files share; run.c sees only cgroup.h. */
#ifndef SR_CGROUP_INTERNAL_H
#define SR_CGROUP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "cgroup.h"

/* Where a hierarchy is mounted, with our path inside it appended. */
struct sr_cg_hierarchy { char dir[SR_CGROUP_PATH_MAX - 64]; int found; };   /* 64: the run's name */

/* Where our cgroups are: the v2 hierarchy and v1's memory and pids ones. */
struct sr_cg_places { struct sr_cg_hierarchy v2, memory, pids; };

/* cgroup_find.c: fills pl from /proc/self/cgroup (and /proc/self/mountinfo
 * when the usual layout under /sys/fs/cgroup does not hold). */
void sr_cg_find(struct sr_cg_places *pl);

/* cgroup.c: knobs. A required one fails the step; an optional one is a
 * file this host may lack (a controller or kernel feature absent) or a
 * value it may refuse, and the caller goes on either way. 0 or -errno. */
int sr_cg_write_required(int dirfd, const char *name, const char *value);
int sr_cg_write_optional(int dirfd, const char *name, const char *value);

/* cgroup.c: is word one of the space-separated tokens of text (v2's
 * controller lists)? */
int sr_cg_has_token(const char *text, const char *word);

/* cgroup.c: makes the run's directory beneath parent (first removing those
 * of launchers that died), opens it into *dirfd. 0 or -errno. */
int sr_cg_make_child(const char *parent, char *path, size_t cap, int *dirfd);

/* cgroup_v2.c and cgroup_v1.c: set up the run's cgroup beneath parent
 * (cg->version is set as soon as something was created, so the caller can
 * remove it on failure); 0 or -errno, with a note for a person in note. */
int sr_cg_v2_setup(struct sr_cgroup *cg, const char *parent, uint64_t memory, int max_pids,
                   char *note, size_t notelen);
int sr_cg_v1_setup(struct sr_cgroup *cg, const char *mem_parent, const struct sr_cg_hierarchy *pids,
                   uint64_t memory, int max_pids, char *note, size_t notelen);
int sr_cg_v2_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak);
int sr_cg_v1_stats(const struct sr_cgroup *cg, long long *oom_kills, long long *limit_hits, uint64_t *peak);

/* cgroup_own.c: the container's own memory cgroup, read-only. */
void sr_cg_own_open(struct sr_cgroup *cg, const struct sr_cg_places *pl);
int sr_cg_own_stats(const struct sr_cgroup *cg, long long *oom_kills);

#endif
