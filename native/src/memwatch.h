/*
 * The program's memory as /proc shows it, for the runs without a cgroup of
 * their own (a pod's launcher, an unprivileged caller), and for the peak at
 * exit in every run. Every read either returns real figures or fails: a
 * field that cannot be read is never taken as zero.
 */
#ifndef SR_MEMWATCH_H
#define SR_MEMWATCH_H

#include <stdint.h>
#include <sys/types.h>

/* Kernel memory a mapping costs (its vm_area_struct, anon_vma links and a
 * share of the maple tree), charged against the limit where no cgroup
 * counts it. An estimate, on the high side of what 6.x kernels use. */
#define SR_MAPPING_COST 256u

struct sr_memwatch {
    pid_t pid;            /* the program as this /proc knows it (its pid namespace may differ) */
    int following;        /* the thread whose files are open; 0: the thread group's own */
    int status_fd;        /* /proc/PID[/task/TID]/status */
    int maps_fd;          /* /proc/PID[/task/TID]/maps, only when mappings are counted */
    int count_maps;
    char *buf;            /* grows to fit the status file (long Groups: lines) */
    size_t cap;
};

struct sr_mem_sample {
    uint64_t rss;         /* VmRSS + VmPTE: pages it holds and the tables that map them */
    uint64_t hwm;         /* VmHWM */
    uint64_t maps;        /* mappings, when counted (counting stops past the budget) */
    int threads;
};

/* Opens the program's files. pidfd and pid are the program's (pid as the
 * launcher's namespace knows it). count_maps: also watch its mappings.
 * 0, or -1 with a message for a person. */
int sr_memwatch_open(struct sr_memwatch *w, int pidfd, pid_t pid, int count_maps, char *msg, size_t msglen);

/* One look. When the thread whose files are open has gone (the program's
 * first thread may leave while others go on), another live thread is taken.
 * map_budget: stop counting mappings past this many. 0; 1 when no thread
 * has the address space any more (the program is ending); -1 when /proc
 * could not be read. */
int sr_memwatch_read(struct sr_memwatch *w, struct sr_mem_sample *s, uint64_t map_budget);

void sr_memwatch_close(struct sr_memwatch *w);

#endif
