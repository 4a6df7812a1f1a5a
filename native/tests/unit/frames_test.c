/* The --stdout-frames encoder: exact lines for short, full and multi-frame
 * stdout, padding of 1 and 2 leftover bytes, every byte value, the E frame,
 * and a write failure reported. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "frames.h"
#include "unit.h"

static struct sr_frames f;

/* Runs the encoder into a pipe-backed temp file; returns what it wrote. */
static size_t capture(char *out, size_t cap, const unsigned char *data, size_t len, size_t step, uint64_t total,
                      const char *sha)
{
    char path[] = "/tmp/frames_test_XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    sr_frames_init(&f, fd, 0);
    for (size_t i = 0; i < len; i += step) {
        size_t n = len - i < step ? len - i : step;
        CHECK(sr_frames_data(&f, data + i, n) == 0, "data at %zu", i);
    }
    CHECK(sr_frames_end(&f, total, sha) == 0, "end");
    off_t size = lseek(fd, 0, SEEK_CUR);
    lseek(fd, 0, SEEK_SET);
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t r = read(fd, out + got, cap - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    out[got] = 0;
    close(fd);
    CHECK((off_t)got == size, "read back all %lld bytes", (long long)size);
    return got;
}

static const char *SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void small(void)
{
    static char out[1 << 16];
    capture(out, sizeof out, (const unsigned char *)"", 0, 1, 0, SHA);
    CHECK_STR(out, "SR1 0 E 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    capture(out, sizeof out, (const unsigned char *)"a\r\n\0", 4, 1, 4, SHA);
    CHECK_STR(out, "SR1 0 D 0 YQ0KAA==\nSR1 0 E 4 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    capture(out, sizeof out, (const unsigned char *)"ab", 2, 2, 2, SHA);
    CHECK(strncmp(out, "SR1 0 D 0 YWI=\n", 15) == 0, "two bytes: %s", out);
    capture(out, sizeof out, (const unsigned char *)"abc", 3, 3, 3, SHA);
    CHECK(strncmp(out, "SR1 0 D 0 YWJj\n", 15) == 0, "three bytes: %s", out);
}

static void full_frames(void)
{
    static unsigned char data[3 * SR_FRAME_PAYLOAD + 5];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7);
    static char out[1 << 16];
    /* Chunked oddly: frames are cut at SR_FRAME_PAYLOAD whatever the writes. */
    capture(out, sizeof out, data, sizeof data, 1000, sizeof data, SHA);
    const char *offsets[] = { "SR1 0 D 0 ", "SR1 0 D 3072 ", "SR1 0 D 6144 ", "SR1 0 D 9216 " };
    char *line = out;
    for (int k = 0; k < 4; k++) {
        char *nl = strchr(line, '\n');
        CHECK(nl != NULL, "line %d", k);
        if (!nl) return;
        CHECK(strncmp(line, offsets[k], strlen(offsets[k])) == 0, "line %d starts %s", k, offsets[k]);
        size_t b64 = (size_t)(nl - line) - strlen(offsets[k]);
        CHECK(b64 == (k < 3 ? SR_FRAME_B64 : 8), "line %d has %zu base64 characters", k, b64);
        CHECK((size_t)(nl - line) + 1 <= SR_FRAME_LINE_MAX, "line %d within the maximum", k);
        line = nl + 1;
    }
    CHECK(strncmp(line, "SR1 0 E 9221 ", 13) == 0, "E frame last: %s", line);
}

static void every_byte(void)
{
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    static char line[SR_FRAME_LINE_MAX];
    size_t n = sr_frame_data_line(line, 7, 18446744073709551615ull, all, sizeof all);
    line[n] = 0;
    CHECK(strncmp(line, "SR1 7 D 18446744073709551615 AAECAwQFBgcICQoL", 44) == 0, "header and start: %.60s", line);
    CHECK(strcmp(line + n - 6, "/w==\n") == 0 || strcmp(line + n - 5, "/w==\n") == 0, "end: %s", line + n - 8);
}

/* A quiet program's partial block goes out, once, and comes again longer. */
static void idle_partial_blocks(void)
{
    char path[] = "/tmp/frames_test_XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    sr_frames_init(&f, fd, 0);
    CHECK(sr_frames_idle(&f) == 0, "idle with nothing pending");
    CHECK(sr_frames_data(&f, "abc", 3) == 0, "3 bytes");
    CHECK(sr_frames_idle(&f) == 0, "idle");
    CHECK(sr_frames_idle(&f) == 0, "idle again: nothing new");
    CHECK(sr_frames_data(&f, "d", 1) == 0, "1 more");
    CHECK(sr_frames_end(&f, 4, SHA) == 0, "end");
    static char out[4096];
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, sizeof out - 1);
    out[n > 0 ? n : 0] = 0;
    close(fd);
    CHECK_STR(out, "SR1 0 D 0 YWJj\nSR1 0 D 0 YWJjZA==\n"
                   "SR1 0 E 4 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
}

static void write_failure(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    sr_frames_init(&f, p[1], 0);
    static unsigned char data[SR_FRAME_PAYLOAD];
    CHECK(sr_frames_data(&f, data, sizeof data) < 0, "a full frame to a closed pipe fails");
    close(p[1]);
}

int main(void)
{
    small();
    full_frames();
    every_byte();
    idle_partial_blocks();
    write_failure();
    return unit_done("frames_test");
}
