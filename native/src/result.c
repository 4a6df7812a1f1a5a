/*
 * The result document. Every byte in it that came from the program (stderr)
 * or from the command line (paths in messages) is hostile: it is escaped so
 * the JSON is valid for any input, and the whole document is kept within
 * SR_RESULT_MAX bytes (a Kubernetes termination message) by trimming the
 * stderr tail from the front, then the message.
 */
#include "result.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const verdicts[] = {
    [SR_COMPLETED] = "Completed", [SR_NON_ZERO_EXIT] = "NonZeroExit", [SR_SIGNALED] = "Signaled",
    [SR_CPU_TIME_LIMIT_EXCEEDED] = "CpuTimeLimitExceeded",
    [SR_WALL_TIME_LIMIT_EXCEEDED] = "WallTimeLimitExceeded",
    [SR_MEMORY_LIMIT_EXCEEDED] = "MemoryLimitExceeded",
    [SR_OUTPUT_LIMIT_EXCEEDED] = "OutputLimitExceeded",
    [SR_SYSCALL_VIOLATION] = "SyscallViolation", [SR_LAUNCH_ERROR] = "LaunchError",
};

const char *sr_verdict_name(sr_verdict v)
{
    return (unsigned)v < sizeof verdicts / sizeof *verdicts ? verdicts[v] : "LaunchError";
}

const char *sr_profile_name(sr_profile p)
{
    static const char *const n[] = { "strict", "compute", "threads" };
    return (unsigned)p < 3 ? n[p] : "?";
}

const char *sr_signal_name(int sig, char *buf, size_t cap)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
        [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
        [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
        [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
    };
    if (sig > 0 && sig < (int)(sizeof names / sizeof *names) && names[sig]) return names[sig];
    if (sig >= 32 && sig <= 64) return sr_fmt(buf, cap, "SIGRTMIN+%d", sig - 32);
    return sr_fmt(buf, cap, "SIG%d", sig);
}

static void set_v(sr_result *r, sr_verdict v, const char *fmt, va_list ap)
{
    r->verdict = v;
    vsnprintf(r->message, sizeof r->message, fmt, ap);
}

void sr_result_set(sr_result *r, sr_verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_v(r, v, fmt, ap);
    va_end(ap);
}

void sr_launch_error(sr_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_v(r, SR_LAUNCH_ERROR, fmt, ap);
    va_end(ap);
}

/* A bounded JSON writer: once full, it writes nothing more and remembers. */
struct out { char *p; size_t len, cap; int full; };

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n >= o->cap) { o->full = 1; return; }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}
static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len; unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    unsigned cp = c & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* Escaped size of bytes [s, s+n): used to fit the stderr tail. Invalid
 * UTF-8 becomes U+FFFD (6 bytes escaped as \ufffd). */
static size_t escaped_size(const unsigned char *s, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; ) {
        unsigned c = s[i];
        size_t l = utf8_len(s + i, n - i);
        if (l == 0) { out += 6; i++; continue; }
        if (l > 1) { out += l; i += l; continue; }
        if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') out += 2;
        else if (c < 0x20 || c == 0x7f) out += 6;
        else out += 1;
        i++;
    }
    return out;
}

static void put_escaped(struct out *o, const unsigned char *s, size_t n)
{
    char tmp[8];
    put(o, "\"", 1);
    for (size_t i = 0; i < n; ) {
        unsigned c = s[i];
        size_t l = utf8_len(s + i, n - i);
        if (l == 0) { puts_(o, "\\ufffd"); i++; continue; }
        if (l > 1) { put(o, (const char *)s + i, l); i += l; continue; }
        switch (c) {
        case '"': puts_(o, "\\\""); break;
        case '\\': puts_(o, "\\\\"); break;
        case '\n': puts_(o, "\\n"); break;
        case '\r': puts_(o, "\\r"); break;
        case '\t': puts_(o, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f) { snprintf(tmp, sizeof tmp, "\\u%04x", c); puts_(o, tmp); }
            else put(o, (const char *)s + i, 1);
        }
        i++;
    }
    put(o, "\"", 1);
}

static void put_u64(struct out *o, const char *key, uint64_t v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, ",\"%s\":%llu", key, (unsigned long long)v);
    puts_(o, tmp);
}

/* Everything but stderrTail, with message cut to msg_max bytes (on a UTF-8
 * boundary). */
static void put_head(struct out *o, const sr_result *r, size_t msg_max)
{
    char tmp[96], sig[24];
    puts_(o, "{\"verdict\":\"");
    puts_(o, sr_verdict_name(r->verdict));
    puts_(o, "\",\"exitCode\":");
    if (r->exited) { snprintf(tmp, sizeof tmp, "%d", r->exit_code); puts_(o, tmp); }
    else puts_(o, "null");
    puts_(o, ",\"signal\":");
    if (r->signal) {
        const char *name = sr_signal_name(r->signal, sig, sizeof sig);
        put_escaped(o, (const unsigned char *)name, strlen(name));
    } else puts_(o, "null");
    puts_(o, ",\"syscall\":");
    if (r->syscall[0]) put_escaped(o, (const unsigned char *)r->syscall, strnlen(r->syscall, sizeof r->syscall));
    else puts_(o, "null");
    put_u64(o, "cpuMs", r->cpu_ms);
    put_u64(o, "wallMs", r->wall_ms);
    put_u64(o, "maxRssBytes", r->max_rss_bytes);
    put_u64(o, "stdoutBytes", r->stdout_bytes);
    puts_(o, ",\"stdoutSha256\":\"");
    /* Nothing passed on is still a digest: that of no bytes. */
    puts_(o, r->stdout_sha256[0] ? r->stdout_sha256
                                 : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    puts_(o, "\",\"programSha256\":");
    /* Only a digest the launcher computed itself (64 hex digits) is written. */
    if (r->program_sha256[0] && strnlen(r->program_sha256, sizeof r->program_sha256) == 64) {
        put(o, "\"", 1); put(o, r->program_sha256, 64); put(o, "\"", 1);
    } else puts_(o, "null");
    puts_(o, ",\"memoryEnforcement\":");
    if (r->memory_enforcement) { put(o, "\"", 1); puts_(o, r->memory_enforcement); put(o, "\"", 1); }
    else puts_(o, "null");
    puts_(o, ",\"message\":");
    size_t mlen = strnlen(r->message, sizeof r->message);
    if (mlen > msg_max) {
        mlen = msg_max;
        while (mlen > 0 && ((unsigned char)r->message[mlen] & 0xc0) == 0x80) mlen--;
    }
    put_escaped(o, (const unsigned char *)r->message, mlen);
}

size_t sr_result_json(const sr_result *r, char *buf, size_t cap)
{
    if (cap == 0) return 0;
    if (cap > SR_RESULT_MAX) cap = SR_RESULT_MAX;
    const char *tail_key = ",\"stderrTail\":";
    for (size_t msg_max = sizeof r->message; ; msg_max /= 2) {
        struct out o = { buf, 0, cap, 0 };
        buf[0] = '\0';
        put_head(&o, r, msg_max);
        if (o.full) { if (msg_max == 0) break; continue; }
        /* room left for the tail: key, two quotes, closing brace, NUL */
        size_t room = cap - o.len - strlen(tail_key) - 4;
        const unsigned char *t = r->stderr_tail;
        size_t n = r->stderr_tail_len > SR_STDERR_TAIL ? SR_STDERR_TAIL : r->stderr_tail_len;
        size_t skip = 0;
        while (skip < n && escaped_size(t + skip, n - skip) > room) skip++;
        /* Start on a character boundary so a cut does not invent U+FFFD. */
        while (skip < n && (t[skip] & 0xc0) == 0x80 && skip < n - 1) skip++;
        puts_(&o, tail_key);
        put_escaped(&o, t + skip, n - skip);
        puts_(&o, "}");
        if (!o.full) return o.len;
        if (msg_max == 0) break;
    }
    /* Only a buffer too small for any document gets here (SR_RESULT_MAX
     * always fits): never emit invalid JSON, so an empty string instead. */
    buf[0] = '\0';
    return 0;
}
