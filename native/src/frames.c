#include "frames.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decimal without allocation; returns the digits written. */
static size_t put_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

static size_t put_str(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return n;
}

size_t sr_frame_data_line(char *out, unsigned input, uint64_t offset, const unsigned char *data, size_t len)
{
    size_t n = put_str(out, "SR1 ");
    n += put_u64(out + n, input);
    n += put_str(out + n, " D ");
    n += put_u64(out + n, offset);
    out[n++] = ' ';
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[n++] = B64[v >> 18];
        out[n++] = B64[(v >> 12) & 63];
        out[n++] = B64[(v >> 6) & 63];
        out[n++] = B64[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[n++] = B64[v >> 18];
        out[n++] = B64[(v >> 12) & 63];
        out[n++] = '=';
        out[n++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[n++] = B64[v >> 18];
        out[n++] = B64[(v >> 12) & 63];
        out[n++] = B64[(v >> 6) & 63];
        out[n++] = '=';
    }
    out[n++] = '\n';
    return n;
}

void sr_frames_init(struct sr_frames *f, int fd, unsigned input)
{
    f->fd = fd;
    f->input = input;
    f->offset = 0;
    f->pending_len = 0;
    f->sent_len = 0;
}

/* Writes the block being filled; a full one is done with. */
static int flush(struct sr_frames *f)
{
    if (f->pending_len == f->sent_len) return 0;   /* nothing new since it was last written */
    size_t n = sr_frame_data_line(f->line, f->input, f->offset, f->pending, f->pending_len);
    if (f->pending_len == SR_FRAME_PAYLOAD) {
        f->offset += f->pending_len;
        f->pending_len = 0;
        f->sent_len = 0;
    } else {
        f->sent_len = f->pending_len;
    }
    return sr_write_all(f->fd, f->line, n);
}

int sr_frames_idle(struct sr_frames *f)
{
    return flush(f);
}

int sr_frames_data(struct sr_frames *f, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        size_t take = SR_FRAME_PAYLOAD - f->pending_len;
        if (take > len) take = len;
        memcpy(f->pending + f->pending_len, p, take);
        f->pending_len += take;
        p += take;
        len -= take;
        if (f->pending_len == SR_FRAME_PAYLOAD && flush(f) < 0) return -1;
    }
    return 0;
}

int sr_frames_end(struct sr_frames *f, uint64_t bytes, const char *sha256_hex)
{
    if (flush(f) < 0) return -1;
    size_t n = put_str(f->line, "SR1 ");
    n += put_u64(f->line + n, f->input);
    n += put_str(f->line + n, " E ");
    n += put_u64(f->line + n, bytes);
    f->line[n++] = ' ';
    n += put_str(f->line + n, sha256_hex);
    f->line[n++] = '\n';
    return sr_write_all(f->fd, f->line, n);
}
