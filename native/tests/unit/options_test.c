/* sr_parse_args and sr_parse_size: every option, both spellings, defaults,
 * bad and overflowing values, missing values, and where PROGRAM starts. */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdlib.h>

#include "options.h"
#include "unit.h"

static sr_config cfg;
static const char *result;
static int frames;
static char msg[512];

/* Parses the NULL-terminated words after "sandbox-launch". */
static int parse(const char *first, ...)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = "sandbox-launch";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    sr_config_defaults(&cfg);
    result = "unset";
    msg[0] = '\0';
    sr_cli cli = { NULL, 0 };
    int rc = sr_parse_args(argc, argv, &cfg, &cli, msg, sizeof msg);
    result = cli.result_path;
    frames = cli.stdout_frames;
    return rc;
}

#define BAD(want, ...) do { \
        int rc_ = parse(__VA_ARGS__, NULL); \
        CHECK(rc_ == SR_ARGS_BAD, "%s: not refused (rc %d)", #__VA_ARGS__, rc_); \
        CHECK(strstr(msg, want) != NULL, "%s: message \"%s\" lacks \"%s\"", #__VA_ARGS__, msg, want); \
    } while (0)

static void defaults(void)
{
    CHECK(parse("prog", NULL) == SR_ARGS_OK, "plain program: %s", msg);
    CHECK(cfg.profile == SR_PROFILE_COMPUTE, "default profile compute");
    CHECK(cfg.cpu_ms == 10000, "default cpu 10000, got %llu", (unsigned long long)cfg.cpu_ms);
    CHECK(cfg.wall_ms == 21000, "default wall 2 x cpu + 1000, got %llu", (unsigned long long)cfg.wall_ms);
    CHECK(cfg.memory_bytes == 256ull << 20, "default memory 256M");
    CHECK(cfg.stdout_max == 1ull << 20, "default stdout 1M");
    CHECK(cfg.stdin_path == NULL, "default stdin empty");
    CHECK(result == NULL, "default result on stderr");
    CHECK(frames == 0, "raw stdout by default");
    CHECK(cfg.sandbox_uid == 65534 && cfg.sandbox_gid == 65534, "default uid/gid 65534");
    CHECK_STR(cfg.program, "prog");
    CHECK(cfg.argv && strcmp(cfg.argv[0], "prog") == 0 && cfg.argv[1] == NULL, "argv is PROGRAM alone");
}

static void every_option(void)
{
    CHECK(parse("--profile=strict", "--cpu-ms=250", "--wall-ms=900", "--memory=64M", "--stdout-max=2K",
                "--stdin=/in", "--result=/out", "prog", "a", "--b", NULL) == SR_ARGS_OK, "= spelling: %s", msg);
    CHECK(cfg.profile == SR_PROFILE_STRICT, "strict");
    CHECK(cfg.cpu_ms == 250 && cfg.wall_ms == 900, "cpu and wall");
    CHECK(cfg.memory_bytes == 64ull << 20 && cfg.stdout_max == 2048, "sizes");
    CHECK_STR(cfg.stdin_path, "/in");
    CHECK_STR(result, "/out");
    CHECK(cfg.argv && !strcmp(cfg.argv[0], "prog") && !strcmp(cfg.argv[1], "a") && !strcmp(cfg.argv[2], "--b") && !cfg.argv[3],
          "options after PROGRAM are its arguments");

    CHECK(parse("--profile", "threads", "--cpu-ms", "250", "--wall-ms", "900", "--memory", "1G", "--stdout-max", "0",
                "--stdin", "/in", "--result", "/out", "prog", NULL) == SR_ARGS_OK, "separate values: %s", msg);
    CHECK(cfg.profile == SR_PROFILE_THREADS, "threads");
    CHECK(cfg.cpu_ms == 250 && cfg.wall_ms == 900, "cpu and wall (separate)");
    CHECK(cfg.memory_bytes == 1ull << 30 && cfg.stdout_max == 0, "sizes (separate)");
    CHECK_STR(cfg.stdin_path, "/in");
    CHECK_STR(result, "/out");
    CHECK_STR(cfg.program, "prog");

    CHECK(parse("--profile=compute", "--cpu-ms=1500", "prog", NULL) == SR_ARGS_OK, "compute");
    CHECK(cfg.profile == SR_PROFILE_COMPUTE, "compute");
    CHECK(cfg.wall_ms == 4000, "wall follows cpu when not given: %llu", (unsigned long long)cfg.wall_ms);
    CHECK(parse("--wall-ms=50", "--cpu-ms=1500", "prog", NULL) == SR_ARGS_OK && cfg.wall_ms == 50,
          "a given wall is kept whatever the order");
    CHECK(parse("--", "-prog", "x", NULL) == SR_ARGS_OK, "-- then a program named with a dash: %s", msg);
    CHECK_STR(cfg.program, "-prog");
    CHECK(parse("-", NULL) == SR_ARGS_OK, "\"-\" is a program name");
    CHECK_STR(cfg.program, "-");
    /* --help and --version print to stdout: not into this test's output. */
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(null, 1);
    int help = parse("--help", NULL), version = parse("--version", NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(null);
    CHECK(help == SR_ARGS_EXIT, "--help");
    CHECK(version == SR_ARGS_EXIT, "--version");
}

static void bad_values(void)
{
    BAD("is not strict, compute or threads", "--profile=Strict", "prog");
    BAD("is not strict, compute or threads", "--profile=", "prog");
    BAD("--cpu-ms", "--cpu-ms=0", "prog");
    BAD("--cpu-ms", "--cpu-ms=-5", "prog");
    BAD("--cpu-ms", "--cpu-ms=+5", "prog");
    BAD("--cpu-ms", "--cpu-ms= 5", "prog");
    BAD("--cpu-ms", "--cpu-ms=1e3", "prog");
    BAD("--cpu-ms", "--cpu-ms=10ms", "prog");
    BAD("--cpu-ms", "--cpu-ms=604800001", "prog");              /* over a week */
    BAD("--cpu-ms", "--cpu-ms=18446744073709551616", "prog");    /* 2^64: strtoull overflows */
    BAD("--wall-ms", "--wall-ms=", "prog");
    BAD("--memory", "--memory=16Ki", "prog");
    BAD("--memory", "--memory=1023K", "prog");                  /* below the 1M minimum */
    BAD("--memory", "--memory=0", "prog");
    BAD("--memory", "--memory=1MB", "prog");
    BAD("--memory", "--memory=1T", "prog");
    BAD("--memory", "--memory=-1M", "prog");
    BAD("--memory", "--memory=1048577G", "prog");               /* over a pebibyte */
    BAD("--memory", "--memory=99999999999999999999", "prog");
    BAD("--stdout-max", "--stdout-max=x", "prog");
    BAD("--stdout-max", "--stdout-max=", "prog");
    BAD("--stdin: empty file name", "--stdin=", "prog");
    BAD("--result: empty file name", "--result=", "prog");
    CHECK(parse("--memory=1M", "prog", NULL) == SR_ARGS_OK && cfg.memory_bytes == 1ull << 20, "1M is the minimum");
    CHECK(parse("--cpu-ms=604800000", "prog", NULL) == SR_ARGS_OK, "a week is allowed");
}

static void missing_and_unknown(void)
{
    BAD("--cpu-ms needs a value", "--cpu-ms");
    BAD("--memory needs a value", "--memory");
    BAD("--profile needs a value", "--profile");
    BAD("--stdin needs a value", "--stdin");
    BAD("no PROGRAM given", "--cpu-ms=5");
    BAD("no PROGRAM given", "--");
    BAD("unknown option '--cpu=5'", "--cpu=5", "prog");
    BAD("unknown option '--memoryx=1M'", "--memoryx=1M", "prog");
    BAD("unknown option '-x'", "-x", "prog");
    /* --result is honoured even when another option is bad, so the error
     * goes there too. */
    CHECK(parse("--bogus", "--result=/r", "prog", NULL) == SR_ARGS_BAD, "bad option with --result");
    CHECK_STR(result, "/r");
    CHECK(parse("--memory", "1G", "--result", "/r2", "--bogus", "prog", NULL) == SR_ARGS_BAD, "separate --result");
    CHECK_STR(result, "/r2");
    /* A separate value that looks like --result is the value, not the option. */
    CHECK(parse("--stdin", "--result", "prog", NULL) == SR_ARGS_OK, "--stdin --result: %s", msg);
    CHECK_STR(cfg.stdin_path, "--result");
    CHECK(result == NULL, "no --result given");
}

static void sizes(void)
{
    struct { const char *s; int ok; uint64_t v; } t[] = {
        { "0", 1, 0 }, { "4096", 1, 4096 }, { "1k", 1, 1024 }, { "1K", 1, 1024 }, { "3m", 1, 3 << 20 },
        { "2G", 1, 2ull << 30 }, { "1048576G", 1, 1ull << 50 }, { "1125899906842624", 1, 1ull << 50 },
        { "1125899906842625", 0, 0 }, { "1048577G", 0, 0 }, { "18446744073709551615", 0, 0 },
        { "", 0, 0 }, { "K", 0, 0 }, { "1KK", 0, 0 }, { "1 K", 0, 0 }, { "-1", 0, 0 }, { " 1", 0, 0 },
        { "1.5M", 0, 0 }, { "0x10", 0, 0 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof *t; i++) {
        uint64_t v = 12345;
        int rc = sr_parse_size(t[i].s, &v);
        CHECK((rc == 0) == t[i].ok, "sr_parse_size(\"%s\") rc %d", t[i].s, rc);
        if (t[i].ok) CHECK(v == t[i].v, "sr_parse_size(\"%s\") = %llu", t[i].s, (unsigned long long)v);
        else CHECK(v == 12345, "sr_parse_size(\"%s\") wrote on failure", t[i].s);
    }
    CHECK(sr_parse_size(NULL, &(uint64_t){0}) == -1, "NULL");
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void program_parts(void)
{
    CHECK(parse("--program-part=/a", "--memory=8M", "--program-part", "/b", "--program-sha256=" H64,
                "--program-part=/c", "--", "name", "x", NULL) == SR_ARGS_OK, "parts: %s", msg);
    CHECK(cfg.program == NULL, "no PROGRAM with parts");
    CHECK(cfg.program_parts && !strcmp(cfg.program_parts[0], "/a") && !strcmp(cfg.program_parts[1], "/b") &&
          !strcmp(cfg.program_parts[2], "/c") && cfg.program_parts[3] == NULL, "parts in command-line order");
    CHECK_STR(cfg.program_sha256, H64);
    CHECK(!strcmp(cfg.argv[0], "name") && !strcmp(cfg.argv[1], "x") && !cfg.argv[2], "NAME is argv[0]");
    CHECK(parse("--program-sha256", H64, "prog", NULL) == SR_ARGS_OK, "digest with PROGRAM: %s", msg);
    CHECK_STR(cfg.program, "prog");
    CHECK(cfg.program_parts == NULL, "no parts");
    CHECK(parse("--result", "/r", "--program-part", "/a", "--bogus", NULL) == SR_ARGS_BAD && result && !strcmp(result, "/r"),
          "--result found past a separate --program-part value");
    BAD("needs --program-sha256", "--program-part=/a", "name");
    BAD("no NAME given", "--program-part=/a", "--program-sha256=" H64);
    BAD("64 lowercase hex", "--program-sha256=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "p");
    BAD("64 lowercase hex", "--program-sha256=" H64 "0", "p");
    BAD("64 lowercase hex", "--program-sha256=abc", "p");
    BAD("empty file name", "--program-part=", "--program-sha256=" H64, "n");
    BAD("needs a value", "--program-part");
    BAD("--program-sha256 given twice", "--program-sha256=" H64, "--program-sha256=" H64, "p");
}

static void stdout_frames(void)
{
    CHECK(parse("--stdout-frames", "--result=/r", "prog", "--stdout-frames", NULL) == SR_ARGS_OK, "frames: %s", msg);
    CHECK(frames == 1, "--stdout-frames sets frames");
    CHECK(cfg.argv[1] && strcmp(cfg.argv[1], "--stdout-frames") == 0, "after PROGRAM it is the program's argument");
    BAD("unknown option", "--stdout-frames=1", "prog");
}

int main(void)
{
    stdout_frames();
    defaults();
    program_parts();
    every_option();
    bad_values();
    missing_and_unknown();
    sizes();
    return unit_done("options_test");
}
