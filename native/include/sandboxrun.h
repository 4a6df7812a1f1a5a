/*
 * libsandboxrun: run one untrusted static program under a seccomp profile and
 * limits, and report a verdict. sandbox-launch is a thin main around it; the
 * CLI binds the same interface with JNA. Stable C interface: plain structs,
 * no allocation handed to the caller.
 */
#ifndef SANDBOXRUN_H
#define SANDBOXRUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SR_API __attribute__((visibility("default")))

#define SR_RESULT_MAX 4096          /* the result document fits a termination message */
#define SR_STDERR_TAIL 1024
/* The least memory a run may have. Below it nothing could start, and a
 * caller's own process would be at risk: until it executes the program, the
 * child shares the caller's memory, and an out-of-memory kill in the run's
 * cgroup kills every process sharing that memory (a JVM, through JNA). */
#define SR_MEMORY_MIN (1ull << 20)
/* The largest program the launcher runs, whole (PROGRAM, or its parts put
 * together): it is copied into memory before it runs. */
#define SR_PROGRAM_MAX (64ull << 20)

typedef enum { SR_PROFILE_STRICT = 0, SR_PROFILE_COMPUTE = 1, SR_PROFILE_THREADS = 2 } sr_profile;

typedef enum {
    SR_COMPLETED = 0, SR_NON_ZERO_EXIT, SR_SIGNALED, SR_CPU_TIME_LIMIT_EXCEEDED,
    SR_WALL_TIME_LIMIT_EXCEEDED, SR_MEMORY_LIMIT_EXCEEDED, SR_OUTPUT_LIMIT_EXCEEDED,
    SR_SYSCALL_VIOLATION, SR_LAUNCH_ERROR
} sr_verdict;

/* Called with each chunk of the program's stdout as it comes (never more than
 * the stdout cap in total). Return 0 to go on, -1 to stop the run
 * (verdict LaunchError: the consumer is gone). */
typedef int (*sr_stdout_fn)(void *ctx, const void *data, size_t len);

typedef struct {
    sr_profile profile;
    uint64_t cpu_ms;                /* > 0 */
    uint64_t wall_ms;               /* > 0 */
    uint64_t memory_bytes;          /* >= SR_MEMORY_MIN; also the stack limit */
    uint64_t stdout_max;            /* bytes passed on; one more ends the run */
    const char *program;            /* path of a static ELF */
    const char *const *argv;        /* argv[0] is what the program sees as its name; NULL-terminated */
    const char *stdin_path;         /* NULL: empty stdin */
    uint32_t sandbox_uid;           /* used when running as root; 65534 by default */
    uint32_t sandbox_gid;
    sr_stdout_fn on_stdout;         /* NULL: discard (still counted and hashed) */
    void *on_stdout_ctx;
    int cancel_fd;                  /* readable: stop the run (LaunchError); -1 for none */
    /* Appended for programs delivered in parts (the layout above is unchanged;
     * sr_config_defaults sets both to NULL). */
    const char *const *program_parts; /* NULL-terminated paths whose bytes, in order, are the
                                       * program; program must then be NULL */
    const char *program_sha256;     /* 64 lowercase hex digits the program must hash to:
                                     * required with program_parts; NULL: no check */
} sr_config;

typedef struct {
    sr_verdict verdict;
    int exited;                     /* 1: exit_code is valid; 0: a signal ended it (or it never ran) */
    int exit_code;
    int signal;                     /* 0 when none */
    char syscall[48];               /* denied call, "" when unknown or none */
    uint64_t cpu_ms, wall_ms, max_rss_bytes, stdout_bytes;
    char stdout_sha256[65];
    unsigned char stderr_tail[SR_STDERR_TAIL];
    size_t stderr_tail_len;
    char message[512];
    const char *memory_enforcement; /* "cgroup-v2", "cgroup-v1", "container-cgroup", "supervisor" */
    char program_sha256[65];        /* hex SHA-256 of what was executed when it ran from a memfd;
                                     * "" otherwise (the file ran in place, or nothing ran) */
} sr_result;

/* Fills cfg with the contract's defaults (compute, 10 s CPU, 2 x cpu + 1 s
 * wall, 256 MiB, 1 MiB of stdout, uid/gid 65534). */
SR_API void sr_config_defaults(sr_config *cfg);

/* Checks that cfg->program can be run here: a readable, statically linked ELF
 * executable for this architecture. Returns 0, or -1 with a message for a
 * person in msg. */
SR_API int sr_check_program(const char *path, char *msg, size_t msglen);

/* Runs the program. Returns 0 when a verdict was reached (whatever it is),
 * 1 when the configuration or the program is unusable (nothing ran; verdict
 * LaunchError, message says why), 2 when the launcher itself failed
 * (verdict LaunchError). out is always filled. */
SR_API int sr_run(const sr_config *cfg, sr_result *out);

/* The result document (JSON, at most SR_RESULT_MAX bytes including the NUL).
 * Its length; 0 and an empty string when cap is too small for any document
 * (a cap of SR_RESULT_MAX always fits). */
SR_API size_t sr_result_json(const sr_result *r, char *buf, size_t cap);

SR_API const char *sr_verdict_name(sr_verdict v);
SR_API const char *sr_profile_name(sr_profile p);

#ifdef __cplusplus
}
#endif
#endif
