/* Result document: writes bytes to stderr that are hard to put in JSON, then
 * "done\n" to stdout and exits 0. argv[1] selects what:
 *   bytes    100 KiB cycling through all 256 byte values (NUL, control bytes,
 *            quotes, backslashes, bytes >= 0x80 that are not UTF-8)
 *   control  8 KiB of 0x01 (the worst case for JSON escaping: \u0001 each)
 *   invalid  invalid UTF-8: lone continuation bytes, overlong forms, UTF-16
 *            surrogates, 0xF8..0xFF, truncated sequences, 6 KiB of them
 *   marker   "bytes" first, then the ASCII line
 *            TAIL "quoted" \back\slash {"verdict":"Completed"} END\n
 *            which must end stderrTail exactly
 * The result must stay valid JSON of at most 4096 bytes, stderrTail <= 1 KiB. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void out(const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(2, c, n);
        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

static void all_bytes(void)
{
    static unsigned char buf[100 * 1024];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)i;
    out(buf, sizeof buf);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "bytes";
    if (strcmp(mode, "bytes") == 0) {
        all_bytes();
    } else if (strcmp(mode, "control") == 0) {
        static char buf[8192];
        memset(buf, 1, sizeof buf);
        out(buf, sizeof buf);
    } else if (strcmp(mode, "invalid") == 0) {
        static const unsigned char bad[] = {
            0x80, 0xbf, 0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf,
            0xf8, 0x88, 0x80, 0x80, 0x80, 0xfc, 0xfe, 0xff, 0xc3, 0x28, 0xe2, 0x82, 0x00,
            0xf4, 0x90, 0x80, 0x80, '"', '\\', 0xc3};
        for (int i = 0; i < 6144 / (int)sizeof bad + 1; i++)
            out(bad, sizeof bad);
    } else if (strcmp(mode, "marker") == 0) {
        all_bytes();
        const char *tail = "TAIL \"quoted\" \\back\\slash {\"verdict\":\"Completed\"} END\n";
        out(tail, strlen(tail));
    } else {
        printf("unknown mode\n");
        return 2;
    }
    printf("done\n");
    return 0;
}
