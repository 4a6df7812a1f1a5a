/*
 * sr_result_json: the document is valid JSON (RFC 8259, UTF-8) for any bytes
 * in the stderr tail and message, never longer than SR_RESULT_MAX with its
 * NUL, and says what the result holds. A small strict parser checks it.
 */
#include <signal.h>
#include <stdlib.h>

#include "sandboxrun.h"
#include "unit.h"

/* ---- a strict JSON reader: one flat object of strings, numbers, null ---- */

struct field { char key[32]; int kind; /* 's', 'n', '0' (null) */ char *str; size_t len; unsigned long long num; };
struct doc { struct field f[32]; int n; };

static const char *p;
static char err[128];

static int fail(const char *what) { snprintf(err, sizeof err, "%s at \"%.20s\"", what, p); return -1; }

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xc0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) { out[0] = (char)(0xe0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[2] = (char)(0x80 | (cp & 0x3f)); return 3; }
    out[0] = (char)(0xf0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A valid UTF-8 sequence at s: its length, 0 if invalid. */
static size_t utf8_ok(const unsigned char *s)
{
    unsigned c = s[0], cp, min;
    size_t len;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    return cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? len : 0;
}

static int hex4(unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
        if (d == 99) return fail("bad \\u escape");
        *v = *v << 4 | d;
    }
    p += 4;
    return 0;
}

/* Reads a string at p into a fresh buffer (decoded). */
static int string(char **out, size_t *len)
{
    if (*p != '"') return fail("expected a string");
    p++;
    char *buf = malloc(8192);
    size_t n = 0;
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c == '\0') { free(buf); return fail("unterminated string"); }
        if (c < 0x20) { free(buf); return fail("raw control character in a string"); }
        if (n > 8000) { free(buf); return fail("string too long"); }
        if (c == '\\') {
            p++;
            char e = *p++;
            unsigned cp;
            switch (e) {
            case '"': buf[n++] = '"'; break;
            case '\\': buf[n++] = '\\'; break;
            case '/': buf[n++] = '/'; break;
            case 'b': buf[n++] = '\b'; break;
            case 'f': buf[n++] = '\f'; break;
            case 'n': buf[n++] = '\n'; break;
            case 'r': buf[n++] = '\r'; break;
            case 't': buf[n++] = '\t'; break;
            case 'u':
                if (hex4(&cp)) { free(buf); return -1; }
                if (cp >= 0xd800 && cp <= 0xdfff) { free(buf); return fail("lone surrogate escape"); }
                n += put_utf8(buf + n, cp);
                break;
            default: free(buf); return fail("bad escape");
            }
            continue;
        }
        size_t l = utf8_ok((const unsigned char *)p);
        if (!l) { free(buf); return fail("invalid UTF-8"); }
        memcpy(buf + n, p, l);
        n += l;
        p += l;
    }
    p++;
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int parse_doc(const char *text, struct doc *d)
{
    p = text;
    d->n = 0;
    err[0] = '\0';
    if (*p++ != '{') return fail("expected {");
    for (;;) {
        if (d->n == 32) return fail("too many fields");
        struct field *f = &d->f[d->n];
        char *key;
        size_t klen;
        if (string(&key, &klen)) return -1;
        snprintf(f->key, sizeof f->key, "%s", key);
        free(key);
        for (int i = 0; i < d->n; i++) if (!strcmp(d->f[i].key, f->key)) return fail("duplicate key");
        if (*p++ != ':') return fail("expected :");
        if (*p == '"') { f->kind = 's'; if (string(&f->str, &f->len)) return -1; }
        else if (!strncmp(p, "null", 4)) { f->kind = '0'; p += 4; }
        else if (*p >= '0' && *p <= '9') {
            if (*p == '0' && p[1] >= '0' && p[1] <= '9') return fail("leading zero");
            f->kind = 'n';
            f->num = strtoull(p, (char **)&p, 10);
        } else if (*p == '-' && p[1] >= '1' && p[1] <= '9') {
            f->kind = 'n';
            f->num = (unsigned long long)strtoll(p, (char **)&p, 10);
        } else return fail("unexpected value");
        d->n++;
        if (*p == ',') { p++; continue; }
        if (*p++ != '}') return fail("expected , or }");
        break;
    }
    if (*p) return fail("text after the object");
    return 0;
}

static const struct field *get(const struct doc *d, const char *key)
{
    for (int i = 0; i < d->n; i++) if (!strcmp(d->f[i].key, key)) return &d->f[i];
    return NULL;
}

static void free_doc(struct doc *d)
{
    for (int i = 0; i < d->n; i++) if (d->f[i].kind == 's') free(d->f[i].str);
    d->n = 0;
}

/* ---- the tests ------------------------------------------------------------ */

static char buf[SR_RESULT_MAX + 64];

/* Renders r into a buffer of cap bytes and parses it: 0 when valid. */
static int render(const sr_result *r, size_t cap, struct doc *d, size_t *len)
{
    memset(buf, 'Z', sizeof buf);
    *len = sr_result_json(r, buf, cap);
    CHECK(*len < cap && *len < SR_RESULT_MAX, "length %zu for cap %zu", *len, cap);
    CHECK(buf[*len] == '\0' && strlen(buf) == *len, "NUL-terminated at its length");
    CHECK(buf[cap < sizeof buf ? cap : sizeof buf - 1] == 'Z' || cap >= SR_RESULT_MAX,
          "nothing written past cap");
    int rc = parse_doc(buf, d);
    CHECK(rc == 0, "invalid JSON: %s\n%s", err, buf);
    return rc;
}

static sr_result base(void)
{
    sr_result r;
    memset(&r, 0, sizeof r);
    r.verdict = SR_COMPLETED;
    r.exited = 1;
    r.cpu_ms = 12; r.wall_ms = 34; r.max_rss_bytes = 5678; r.stdout_bytes = 9;
    strcpy(r.stdout_sha256, "ab12");
    r.memory_enforcement = "cgroup-v2";
    strcpy(r.message, "exited with code 0");
    return r;
}

static void plain(void)
{
    sr_result r = base();
    struct doc d;
    size_t len;
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    const struct field *f;
    CHECK((f = get(&d, "verdict")) && f->kind == 's' && !strcmp(f->str, "Completed"), "verdict");
    CHECK((f = get(&d, "exitCode")) && f->kind == 'n' && f->num == 0, "exitCode 0");
    CHECK((f = get(&d, "signal")) && f->kind == '0', "signal null");
    CHECK((f = get(&d, "syscall")) && f->kind == '0', "syscall null");
    CHECK((f = get(&d, "cpuMs")) && f->num == 12, "cpuMs");
    CHECK((f = get(&d, "wallMs")) && f->num == 34, "wallMs");
    CHECK((f = get(&d, "maxRssBytes")) && f->num == 5678, "maxRssBytes");
    CHECK((f = get(&d, "stdoutBytes")) && f->num == 9, "stdoutBytes");
    CHECK((f = get(&d, "stdoutSha256")) && f->kind == 's' && !strcmp(f->str, "ab12"), "stdoutSha256");
    CHECK((f = get(&d, "memoryEnforcement")) && f->kind == 's' && !strcmp(f->str, "cgroup-v2"), "memoryEnforcement");
    CHECK((f = get(&d, "message")) && !strcmp(f->str, "exited with code 0"), "message");
    CHECK((f = get(&d, "stderrTail")) && f->kind == 's' && f->len == 0, "stderrTail empty");
    CHECK((f = get(&d, "programSha256")) && f->kind == '0', "programSha256 null when it ran in place");
    free_doc(&d);

    /* What ran from a memfd: its digest; anything else the field holds is not one. */
    memset(r.program_sha256, 'a', 64);
    r.program_sha256[64] = '\0';
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    CHECK((f = get(&d, "programSha256")) && f->kind == 's' && f->len == 64 && f->str[0] == 'a', "programSha256");
    free_doc(&d);
    strcpy(r.program_sha256, "abc");
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    CHECK((f = get(&d, "programSha256")) && f->kind == '0', "a short programSha256 is null");
    free_doc(&d);

    r = base();
    r.verdict = SR_SIGNALED; r.exited = 0; r.signal = SIGSEGV;
    r.stdout_sha256[0] = '\0';
    r.memory_enforcement = NULL;
    strcpy(r.syscall, "x32:open");
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    CHECK((f = get(&d, "exitCode")) && f->kind == '0', "exitCode null when signalled");
    CHECK((f = get(&d, "signal")) && f->kind == 's' && !strcmp(f->str, "SIGSEGV"), "signal name");
    CHECK((f = get(&d, "syscall")) && f->kind == 's' && !strcmp(f->str, "x32:open"), "syscall");
    CHECK((f = get(&d, "stdoutSha256")) && !strcmp(f->str, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
          "no digest is that of no bytes");
    CHECK((f = get(&d, "memoryEnforcement")) && f->kind == '0', "memoryEnforcement null");
    CHECK((f = get(&d, "verdict")) && !strcmp(f->str, "Signaled"), "Signaled");
    free_doc(&d);
    r.verdict = (sr_verdict)99;
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    CHECK((f = get(&d, "verdict")) && !strcmp(f->str, "LaunchError"), "an unknown verdict is LaunchError");
    free_doc(&d);
}

/* Every byte value in the tail and the message comes out as the same text
 * (valid UTF-8 as is, control characters escaped, invalid bytes U+FFFD). */
static void hostile_bytes(void)
{
    sr_result r = base();
    unsigned char tail[] = "quote\" back\\slash nl\n cr\r tab\t nul\0 bel\x07 esc\x1b del\x7f "
                           "e\xc3\xa9 euro\xe2\x82\xac emoji\xf0\x9f\x98\x80 bad\xff overlong\xc0\x80 "
                           "surrogate\xed\xa0\x80 cut\xe2\x82";
    size_t n = sizeof tail - 1;
    memcpy(r.stderr_tail, tail, n);
    r.stderr_tail_len = n;
    snprintf(r.message, sizeof r.message, "program \"a\\b\"\n\x01: not found");
    struct doc d;
    size_t len;
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    const struct field *f = get(&d, "stderrTail");
    const char *want = "quote\" back\\slash nl\n cr\r tab\t nul\0 bel\x07 esc\x1b del\x7f "
                       "e\xc3\xa9 euro\xe2\x82\xac emoji\xf0\x9f\x98\x80 bad\xef\xbf\xbd overlong\xef\xbf\xbd\xef\xbf\xbd "
                       "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd cut\xef\xbf\xbd\xef\xbf\xbd";
    size_t want_len = 0;
    while (memcmp(want + want_len, "cut", 3) != 0) want_len++;
    want_len += 3 + 6;
    CHECK(f && f->len == want_len && memcmp(f->str, want, want_len) == 0, "stderrTail decodes to the bytes (len %zu, want %zu)",
          f ? f->len : 0, want_len);
    f = get(&d, "message");
    CHECK(f && !strcmp(f->str, "program \"a\\b\"\n\x01: not found"), "message decodes back");
    CHECK(strstr(buf, "\\u0000") && strstr(buf, "\\u001b") && strstr(buf, "\\u007f"), "control characters as \\u escapes");
    free_doc(&d);
}

/* The bound: the worst message and tail still fit SR_RESULT_MAX, the tail
 * is cut from the front (its end is what tells), and on a character
 * boundary. */
static void bounded(void)
{
    sr_result r = base();
    memset(r.program_sha256, 'f', 64);                        /* every field at its longest */
    r.program_sha256[64] = '\0';
    strcpy(r.syscall, "x32:rt_tgsigqueueinfo");
    r.cpu_ms = r.wall_ms = r.max_rss_bytes = r.stdout_bytes = UINT64_MAX;
    memset(r.message, 0x01, sizeof r.message - 1);           /* 6 bytes each escaped */
    r.message[sizeof r.message - 1] = '\0';
    memset(r.stderr_tail, '"', SR_STDERR_TAIL);               /* 2 bytes each */
    for (int i = 0; i < SR_STDERR_TAIL; i += 7) r.stderr_tail[i] = 0x02;   /* some 6 bytes */
    memcpy(r.stderr_tail + SR_STDERR_TAIL - 4, "END!", 4);
    r.stderr_tail_len = SR_STDERR_TAIL;
    struct doc d;
    size_t len;
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    const struct field *f = get(&d, "stderrTail");
    CHECK(f && f->len >= 4 && !memcmp(f->str + f->len - 4, "END!", 4), "the tail keeps its end");
    CHECK(f && f->len <= SR_STDERR_TAIL && !memcmp(f->str, r.stderr_tail + SR_STDERR_TAIL - f->len, f->len),
          "the tail is a suffix of the bytes");
    free_doc(&d);

    /* The whole tail as 4-byte characters, then a cut: the kept part starts
     * on a character, so no U+FFFD is invented. */
    r = base();
    for (int i = 0; i < SR_STDERR_TAIL; i += 4) memcpy(r.stderr_tail + i, "\xf0\x9f\x98\x80", 4);
    r.stderr_tail_len = SR_STDERR_TAIL;
    memset(r.message, 0x1f, sizeof r.message - 1);
    r.message[sizeof r.message - 1] = '\0';
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    f = get(&d, "stderrTail");
    CHECK(f && !strstr(f->str, "\xef\xbf\xbd"), "no replacement character from a cut");
    CHECK(f && f->len % 4 == 0, "whole characters only (%zu bytes)", f ? f->len : 0);
    free_doc(&d);

    /* A smaller buffer: still valid, within it. */
    r = base();
    memset(r.stderr_tail, 'x', SR_STDERR_TAIL);
    r.stderr_tail_len = SR_STDERR_TAIL;
    if (render(&r, 1024, &d, &len)) return;
    CHECK(len < 1024, "within 1024");
    free_doc(&d);
    /* A length beyond the buffer is taken as the buffer. */
    r.stderr_tail_len = SR_STDERR_TAIL * 4;
    if (render(&r, SR_RESULT_MAX, &d, &len)) return;
    f = get(&d, "stderrTail");
    CHECK(f && f->len == SR_STDERR_TAIL, "tail length capped at SR_STDERR_TAIL (%zu)", f ? f->len : 0);
    free_doc(&d);
    CHECK(sr_result_json(&r, buf, 0) == 0, "cap 0 writes nothing");
}

int main(void)
{
    plain();
    hostile_bytes();
    bounded();
    return unit_done("result_json_test");
}
