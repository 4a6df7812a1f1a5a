/* --stdout-frames: the program's stdout as text lines a pod's log keeps
 * intact (docs/launcher-contract.md, "Stdout frames").
 *
 *   SR1 <input> D <offset> <base64>\n    a data frame
 *   SR1 <input> E <bytes> <sha256hex>\n   after the last data frame
 *
 * A data frame carries one SR_FRAME_PAYLOAD-byte block of the stdout from
 * its start: offsets are multiples of SR_FRAME_PAYLOAD. A block is written
 * once full; a partial block is written when stdout ends, and when the
 * program has been quiet for a while (sr_frames_idle), in which case the
 * same block comes again, longer, once more bytes came. The log's size
 * follows from the byte count and the wall time (at most one partial
 * block per quiet period); the operator sizes the pod's ephemeral storage
 * from them. Lines stay far below containerd's 16 KiB
 * line split, and base64 keeps every byte, NUL, '\r' before '\n' (which
 * containerd drops) and a last line without '\n' included.
 *
 * The encoder allocates nothing: its state, pending bytes and line buffer
 * live in the struct, which the launcher keeps static. */
#ifndef SR_FRAMES_H
#define SR_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define SR_FRAME_PAYLOAD 3072                        /* raw bytes per full data frame */
#define SR_FRAME_B64 (SR_FRAME_PAYLOAD / 3 * 4)      /* 4096 base64 characters */
/* "SR1 " + input (10 digits) + " D " + offset (20 digits) + " " + payload + "\n" */
#define SR_FRAME_LINE_MAX (4 + 10 + 3 + 20 + 1 + SR_FRAME_B64 + 1)

struct sr_frames {
    int fd;                                   /* where lines go */
    unsigned input;                           /* 0 for a single run */
    uint64_t offset;                          /* of pending[0] in the program's stdout */
    size_t pending_len;
    size_t sent_len;                          /* of pending, already written as a partial block */
    unsigned char pending[SR_FRAME_PAYLOAD];
    char line[SR_FRAME_LINE_MAX];
};

void sr_frames_init(struct sr_frames *f, int fd, unsigned input);
/* Passes data on; full frames are written at once, the rest waits for more
 * (or for sr_frames_end). 0, or -1 (errno) when a write failed. */
int sr_frames_data(struct sr_frames *f, const void *data, size_t len);
/* The program has been quiet: the partial block, if it grew since it was
 * last written. 0 or -1 (errno). */
int sr_frames_idle(struct sr_frames *f);
/* The input's stdout ended: the short last frame, if any, then the E
 * frame with the figures the result document gives. 0 or -1 (errno). */
int sr_frames_end(struct sr_frames *f, uint64_t bytes, const char *sha256_hex);
/* Formats one data frame of len (1..SR_FRAME_PAYLOAD) bytes into out
 * (SR_FRAME_LINE_MAX bytes); returns the line's length. */
size_t sr_frame_data_line(char *out, unsigned input, uint64_t offset, const unsigned char *data, size_t len);

#endif
