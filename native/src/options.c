#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "util.h"

const char sr_usage[] =
    "usage: sandbox-launch [OPTION]... [--] PROGRAM [ARG]...\n"
    "       sandbox-launch [OPTION]... --program-part=FILE... --program-sha256=HEX [--] NAME [ARG]...\n"
    "Runs a static PROGRAM under a seccomp profile and limits, and reports a verdict.\n"
    "With --program-part, the program is the parts' bytes in command-line order, checked\n"
    "against --program-sha256 before it runs; NAME is only what it sees as argv[0].\n"
    "\n"
    "  --profile=NAME      strict | compute | threads            (compute)\n"
    "  --cpu-ms=N          CPU time, all threads, milliseconds   (10000)\n"
    "  --wall-ms=N         wall clock, milliseconds              (2 x cpu + 1000)\n"
    "  --memory=SIZE       memory the program uses; K, M, G      (256M)\n"
    "  --stdout-max=SIZE   bytes of stdout passed on             (1M)\n"
    "  --stdin=FILE        the program's stdin                   (empty)\n"
    "  --result=FILE       where the result JSON goes            (standard error)\n"
    "  --program-part=FILE a part of the program (repeat, in order)\n"
    "  --program-sha256=HEX  the program's SHA-256, 64 lowercase hex digits: required\n"
    "                      with parts; with PROGRAM, checked before it runs\n"
    "Programs with parts, a digest, or on a noexec mount run from a sealed memfd\n"
    "(at most 64 MiB).\n"
    "  --stdout-frames     stdout as 'SR1 0 D <offset> <base64>' lines, then\n"
    "                      'SR1 0 E <bytes> <sha256>' (raw bytes)\n"
    "\n"
    "Exit status: 0 a verdict was reached; 64 bad command line or unusable\n"
    "PROGRAM/stdin (nothing ran); 70 the launcher failed.\n";

/* Upper bounds that keep arithmetic (ms to ns, sizes) far from overflow. */
#define MAX_MS   (7ull * 24 * 3600 * 1000)   /* a week */
#define MAX_SIZE (1ull << 50)                /* a pebibyte */
#define MIN_MEMORY (1ull << 20)              /* below this nothing starts */

int sr_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -1;
    unsigned shift = 0;
    if (*end) {
        switch (*end) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        default: return -1;
        }
        if (end[1]) return -1;
    }
    if (v > (MAX_SIZE >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_ms(const char *s, uint64_t *out)
{
    if (!s || !*s || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > MAX_MS) return -1;
    *out = v;
    return 0;
}

/* "--name=value" or "--name value". Returns the value, or NULL if this is
 * not the option. Advances *i past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != '\0') return NULL;
    if (*i + 1 >= argc) { *missing = 1; return NULL; }
    return argv[++*i];
}

int sr_parse_args(int argc, char **argv, sr_config *cfg, sr_cli *cli, char *msg, size_t msglen)
{
    int wall_given = 0;
    int i = 1;
    /* The parts, in order; at most one per argument. Lives as long as the
     * process (the launcher runs once and exits). */
    const char **parts = NULL;
    size_t nparts = 0;
    const char **result_path = &cli->result_path;
    *result_path = NULL;
    cli->stdout_frames = 0;
    /* --result first, wherever it stands among the options: a malformed
     * option is then reported there too (nothing goes to stderr). */
    for (int j = 1; j < argc; j++) {
        const char *a = argv[j];
        if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0') break;
        if (strncmp(a, "--result=", 9) == 0 && a[9]) *result_path = a + 9;
        else if (strcmp(a, "--result") == 0 && j + 1 < argc && argv[j + 1][0]) *result_path = argv[++j];
        else if (a[2] && strchr(a, '=') == NULL && j + 1 < argc &&
                 (!strcmp(a, "--profile") || !strcmp(a, "--cpu-ms") || !strcmp(a, "--wall-ms") ||
                  !strcmp(a, "--memory") || !strcmp(a, "--stdout-max") || !strcmp(a, "--stdin") ||
                  !strcmp(a, "--program-part") || !strcmp(a, "--program-sha256")))
            j++;                                       /* skip its separate value */
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        int missing = 0;
        if (strcmp(a, "--") == 0) { i++; break; }
        if (a[0] != '-' || a[1] == '\0') break;      /* PROGRAM */
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(sr_usage, stdout);
            return SR_ARGS_EXIT;
        }
        if (strcmp(a, "--stdout-frames") == 0) {
            cli->stdout_frames = 1;
            continue;
        }
        if (strcmp(a, "--version") == 0) {
            puts("sandbox-launch 0.1.0");
            return SR_ARGS_EXIT;
        }
        if ((v = option_value(argc, argv, &i, "--profile", &missing))) {
            if (strcmp(v, "strict") == 0) cfg->profile = SR_PROFILE_STRICT;
            else if (strcmp(v, "compute") == 0) cfg->profile = SR_PROFILE_COMPUTE;
            else if (strcmp(v, "threads") == 0) cfg->profile = SR_PROFILE_THREADS;
            else { sr_fmt(msg, msglen, "--profile: '%.64s' is not strict, compute or threads", v); return SR_ARGS_BAD; }
        } else if ((v = option_value(argc, argv, &i, "--cpu-ms", &missing))) {
            if (parse_ms(v, &cfg->cpu_ms)) { sr_fmt(msg, msglen, "--cpu-ms: '%.64s' is not a number of milliseconds between 1 and %llu", v, MAX_MS); return SR_ARGS_BAD; }
        } else if ((v = option_value(argc, argv, &i, "--wall-ms", &missing))) {
            if (parse_ms(v, &cfg->wall_ms)) { sr_fmt(msg, msglen, "--wall-ms: '%.64s' is not a number of milliseconds between 1 and %llu", v, MAX_MS); return SR_ARGS_BAD; }
            wall_given = 1;
        } else if ((v = option_value(argc, argv, &i, "--memory", &missing))) {
            if (sr_parse_size(v, &cfg->memory_bytes) || cfg->memory_bytes < MIN_MEMORY) {
                sr_fmt(msg, msglen, "--memory: '%.64s' is not a size of at least 1M (bytes, or with K, M, G)", v);
                return SR_ARGS_BAD;
            }
        } else if ((v = option_value(argc, argv, &i, "--stdout-max", &missing))) {
            if (sr_parse_size(v, &cfg->stdout_max)) { sr_fmt(msg, msglen, "--stdout-max: '%.64s' is not a size (bytes, or with K, M, G)", v); return SR_ARGS_BAD; }
        } else if ((v = option_value(argc, argv, &i, "--stdin", &missing))) {
            if (!*v) { sr_fmt(msg, msglen, "--stdin: empty file name"); return SR_ARGS_BAD; }
            cfg->stdin_path = v;
        } else if ((v = option_value(argc, argv, &i, "--program-part", &missing))) {
            if (!*v) { sr_fmt(msg, msglen, "--program-part: empty file name"); return SR_ARGS_BAD; }
            if (!parts && !(parts = calloc((size_t)argc + 1, sizeof *parts))) {
                sr_fmt(msg, msglen, "out of memory");
                return SR_ARGS_BAD;
            }
            parts[nparts++] = v;
        } else if ((v = option_value(argc, argv, &i, "--program-sha256", &missing))) {
            if (cfg->program_sha256) {
                /* One digest: a second one would silently win over the first. */
                sr_fmt(msg, msglen, "--program-sha256 given twice");
                return SR_ARGS_BAD;
            }
            if (!sr_is_sha256_hex(v)) {
                sr_fmt(msg, msglen, "--program-sha256: '%.80s' is not 64 lowercase hex digits", v);
                return SR_ARGS_BAD;
            }
            cfg->program_sha256 = v;
        } else if ((v = option_value(argc, argv, &i, "--result", &missing))) {
            if (!*v) { sr_fmt(msg, msglen, "--result: empty file name"); return SR_ARGS_BAD; }
            *result_path = v;
        } else if (missing) {
            sr_fmt(msg, msglen, "%.64s needs a value", a);
            return SR_ARGS_BAD;
        } else {
            sr_fmt(msg, msglen, "unknown option '%.64s'", a);
            return SR_ARGS_BAD;
        }
    }
    if (parts && !cfg->program_sha256) {
        sr_fmt(msg, msglen, "--program-part needs --program-sha256 (the whole program's digest)");
        return SR_ARGS_BAD;
    }
    if (i >= argc) {
        sr_fmt(msg, msglen, parts ? "no NAME given (with --program-part, the first operand is the name the "
                                    "program sees as argv[0])" : "no PROGRAM given");
        return SR_ARGS_BAD;
    }
    if (!wall_given) cfg->wall_ms = 2 * cfg->cpu_ms + 1000;
    cfg->program = parts ? NULL : argv[i];
    cfg->program_parts = parts;
    cfg->argv = (const char *const *)&argv[i];
    return SR_ARGS_OK;
}
