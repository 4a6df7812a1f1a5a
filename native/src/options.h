/* The launcher's command line (docs/launcher-contract.md at the repository root). */
#ifndef SR_OPTIONS_H
#define SR_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "sandboxrun.h"

enum { SR_ARGS_OK = 0, SR_ARGS_BAD = 1, SR_ARGS_EXIT = 2 };

/* What only the command line has (the library's sr_config does not). */
typedef struct {
    const char *result_path;      /* NULL: standard error */
    int stdout_frames;            /* --stdout-frames: stdout as SR1 frame lines (frames.h) */
} sr_cli;

/* Parses argv into cfg (which must hold the defaults) and cli. SR_ARGS_BAD:
 * msg says what is wrong. SR_ARGS_EXIT: --help or --version was printed. */
int sr_parse_args(int argc, char **argv, sr_config *cfg, sr_cli *cli, char *msg, size_t msglen);

/* "256M", "1G", "4096": bytes, with K, M, G as powers of 1024. -1 on error. */
int sr_parse_size(const char *s, uint64_t *out);

extern const char sr_usage[];

#endif
