/*
 * The run's cgroup: a figure that cannot be read is a failure, never zero
 * (sr_cgroup_stats on cgroups whose files are missing); v2 enables pids
 * beside an already enabled memory controller; and, where this process may
 * create cgroups (root with a writable hierarchy), a real set-up has its
 * limits and thread cap, and leaves nothing behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/sr-cgroup-test-XXXXXX";

static void put(const char *name, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0) { perror(p); exit(2); }
}

static void drop(const char *name)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static struct sr_cgroup fake(int version, int own_version)
{
    struct sr_cgroup cg;
    sr_cgroup_init(&cg);
    cg.version = version;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (version) cg.dir_fd[0] = fd;
    else { cg.own_fd = fd; cg.own_version = own_version; cg.own_oom_before = 1; }
    return cg;
}

static void stats_from_files(void)
{
    long long oom = 99, hits = 99;
    uint64_t peak = 99;
    struct sr_cgroup cg;

    /* v2: nothing readable */
    cg = fake(2, 0);
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1, "v2 without memory.events is a failure");
    CHECK(oom == -1 && hits == -1, "v2 unreadable counts are -1 (got %lld, %lld)", oom, hits);
    put("memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 2\n");
    put("memory.peak", "123456\n");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0, "v2 with its files");
    CHECK(oom == 2 && hits == 7 && peak == 123456, "v2 figures %lld %lld %llu", oom, hits, (unsigned long long)peak);
    drop("memory.peak");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0 && peak == 0 && oom == 2,
          "v2 without memory.peak (before 5.19) is not a failure");
    put("memory.events", "low 0\nhigh 0\nmax 7\noom 1\n");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1 && oom == -1 && hits == 7,
          "v2 without an oom_kill count is a failure (%lld)", oom);
    drop("memory.events");
    sr_cgroup_destroy(&cg);

    /* v1 */
    cg = fake(1, 0);
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1 && oom == -1 && hits == -1 && peak == 0,
          "v1 without its files is a failure");
    put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    put("memory.failcnt", "11\n");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1 && oom == 3 && hits == 11, "v1 without max_usage is a failure");
    put("memory.max_usage_in_bytes", "4096\n");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0 && oom == 3 && hits == 11 && peak == 4096, "v1 figures");
    drop("memory.failcnt");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1 && hits == -1, "v1 without failcnt is a failure");
    drop("memory.oom_control");
    drop("memory.max_usage_in_bytes");
    sr_cgroup_destroy(&cg);

    /* The container's own cgroup: OOM kills during the run only. */
    cg = fake(0, 2);
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1 && oom == -1, "own cgroup unreadable is a failure");
    put("memory.events", "oom 4\noom_kill 4\n");
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0 && oom == 3 && hits == 0 && peak == 0, "own: 3 new kills (%lld)", oom);
    cg.own_oom_before = -1;
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == -1, "own: no count before the run is a failure");
    drop("memory.events");
    sr_cgroup_destroy(&cg);

    /* No cgroup at all: nothing to read, nothing failed. */
    sr_cgroup_init(&cg);
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0 && oom == 0 && hits == 0 && peak == 0, "no cgroup");
}

/* A parent whose subtree_control already has memory but not pids (an
 * earlier run, or whoever made it): pids is enabled too. Here the parent
 * is a plain directory, so the set-up then fails at memory.max, after the
 * write looked for. */
static void v2_enables_pids(void)
{
    put("cgroup.controllers", "cpu memory pids\n");
    put("cgroup.subtree_control", "memory\n");
    struct sr_cgroup cg;
    sr_cgroup_init(&cg);
    char note[256] = "";
    int rc = sr_cg_v2_setup(&cg, dir, 64 << 20, 8, note, sizeof note);
    char buf[64] = "";
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cgroup.subtree_control", dir);
    sr_read_small(p, buf, sizeof buf);
    /* (A plain file is overwritten in place, not replaced as the kernel's is.) */
    CHECK(strncmp(buf, "+pids", 5) == 0, "pids enabled beside memory (subtree_control got \"%s\")", buf);
    CHECK(rc != 0 && strstr(note, "memory.max"), "a plain directory has no memory.max: %d, %s", rc, note);
    sr_cgroup_destroy(&cg);

    /* Both enabled already: nothing written. */
    put("cgroup.subtree_control", "memory pids\n");
    sr_cgroup_init(&cg);
    sr_cg_v2_setup(&cg, dir, 64 << 20, 8, note, sizeof note);
    sr_read_small(p, buf, sizeof buf);
    CHECK(strcmp(buf, "memory pids\n") == 0, "nothing enabled twice (\"%s\")", buf);
    sr_cgroup_destroy(&cg);
    /* No memory controller: not a v2 cgroup for us. */
    put("cgroup.controllers", "cpu pids\n");
    sr_cgroup_init(&cg);
    CHECK(sr_cg_v2_setup(&cg, dir, 64 << 20, 8, note, sizeof note) != 0 && cg.version == 0 && strstr(note, "memory"),
          "no memory controller: %s", note);
    sr_cgroup_destroy(&cg);
    drop("cgroup.controllers");
    drop("cgroup.subtree_control");
}

static int read_knob(int dirfd, const char *name, char *buf, size_t cap)
{
    return sr_read_small_at(dirfd, name, buf, cap) > 0 ? 0 : -1;
}

/* Where this process may create cgroups: the real thing. */
static void real_setup(void)
{
    struct sr_cgroup cg;
    char note[320] = "x";
    sr_cgroup_setup(&cg, 64 << 20, 8, note, sizeof note);
    if (!cg.version) {
        printf("cgroup_test: SKIP real set-up: %s\n", note);
        sr_cgroup_destroy(&cg);
        return;
    }
    char buf[64], paths[2][SR_CGROUP_PATH_MAX];
    memcpy(paths, cg.path, sizeof paths);
    CHECK(cg.procs_fd[0] >= 0, "cgroup.procs open");
    if (cg.version == 2) {
        CHECK(read_knob(cg.dir_fd[0], "memory.max", buf, sizeof buf) == 0 && strtoull(buf, NULL, 10) == 64 << 20, "memory.max");
        CHECK(cg.pids_limited == (read_knob(cg.dir_fd[0], "pids.max", buf, sizeof buf) == 0 && atoi(buf) == 8),
              "pids_limited says whether pids.max is 8 (%d, %s)", cg.pids_limited, note);
    } else {
        CHECK(read_knob(cg.dir_fd[0], "memory.limit_in_bytes", buf, sizeof buf) == 0 && strtoull(buf, NULL, 10) == 64 << 20,
              "memory.limit_in_bytes");
        CHECK(cg.pids_limited == (cg.dir_fd[1] >= 0 && read_knob(cg.dir_fd[1], "pids.max", buf, sizeof buf) == 0 && atoi(buf) == 8),
              "pids_limited says whether pids.max is 8 (%d, %s)", cg.pids_limited, note);
    }
    if (!cg.pids_limited) printf("cgroup_test: no thread cap here: %s\n", note);
    CHECK(cg.pids_limited || note[0], "a missing thread cap is explained");
    long long oom, hits;
    uint64_t peak;
    CHECK(sr_cgroup_stats(&cg, &oom, &hits, &peak) == 0 && oom == 0 && hits == 0, "fresh cgroup stats %lld %lld", oom, hits);
    sr_cgroup_destroy(&cg);
    for (int i = 0; i < 2; i++)
        if (paths[i][0]) CHECK(access(paths[i], F_OK) != 0 && errno == ENOENT, "%s removed", paths[i]);
    sr_cgroup_destroy(&cg);                                   /* twice is safe */

    /* Compute-like: no pids cgroup on v1 (seccomp forbids new tasks). */
    sr_cgroup_setup(&cg, 32 << 20, 0, note, sizeof note);
    if (cg.version == 1) CHECK(cg.pids_limited == 0 && cg.dir_fd[1] < 0 && cg.procs_fd[1] < 0, "v1 with max_pids 0: no pids cgroup");
    if (cg.version == 2) CHECK(cg.pids_limited == (read_knob(cg.dir_fd[0], "pids.max", buf, sizeof buf) == 0 && atoi(buf) == 1),
                               "v2 with max_pids 0: pids.max 1");
    sr_cgroup_destroy(&cg);
}

int main(void)
{
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    stats_from_files();
    v2_enables_pids();
    real_setup();
    /* What v2_enables_pids' set-up made in the plain directory. */
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') { snprintf(p, sizeof p, "%s/%s", dir, e->d_name); rmdir(p); unlink(p); }
    if (d) closedir(d);
    CHECK(rmdir(dir) == 0, "nothing left in %s", dir);
    return unit_done("cgroup_test");
}
