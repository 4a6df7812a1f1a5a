/*
 * sandbox-launch: the contract's command line around sr_run. Exit status:
 * 0 a verdict was reached; 64 the command line, the program or its stdin is
 * unusable (nothing ran); 70 the launcher itself failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "frames.h"
#include "options.h"
#include "relay.h"
#include "sandboxrun.h"
#include "util.h"

enum { EXIT_VERDICT = 0, EXIT_USAGE = 64, EXIT_SOFTWARE = 70 };

static int to_stdout(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return sr_write_all(STDOUT_FILENO, data, len);
}

/* --stdout-frames: the relay thread encodes into this static state (no
 * allocation on its path); the main thread writes the E frame after the
 * relay has been joined. */
static struct sr_frames frames;

static int to_frames(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return sr_frames_data(&frames, data, len);
}

/* The relay's quiet hook: a partial block goes out at most this long after
 * its oldest byte, so that a launcher killed with the program (an OOM kill of
 * the whole container) has passed on all but the last second's bytes, even of
 * a program that writes a byte every 0.9 s. At most one partial block a
 * second: the operator counts one per second of wall time when it sizes the
 * log. */
#define FRAMES_IDLE_MS 1000

static int frames_idle(void *ctx)
{
    (void)ctx;
    return sr_frames_idle(&frames);
}

/* The result goes to --result=FILE, else to standard error. */
static int write_result(const char *path, const sr_result *r)
{
    char doc[SR_RESULT_MAX];
    size_t n = sr_result_json(r, doc, sizeof doc);
    if (!path) {
        doc[n] = '\n';
        return sr_write_all(STDERR_FILENO, doc, n + 1);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0) return -1;
    int rc = sr_write_all(fd, doc, n);
    if (close(fd) < 0) rc = -1;
    return rc;
}

int main(int argc, char **argv)
{
    sr_config cfg;
    sr_config_defaults(&cfg);
    sr_cli cli = { NULL, 0 };
    char msg[512];
    int parsed = sr_parse_args(argc, argv, &cfg, &cli, msg, sizeof msg);
    const char *result_path = cli.result_path;
    switch (parsed) {
    case SR_ARGS_EXIT:
        return 0;
    case SR_ARGS_BAD:
        if (result_path) {
            sr_result bad;
            memset(&bad, 0, sizeof bad);
            bad.verdict = SR_LAUNCH_ERROR;
            snprintf(bad.message, sizeof bad.message, "command line: %s", msg);
            if (write_result(result_path, &bad) == 0) return EXIT_USAGE;
        }
        fprintf(stderr, "sandbox-launch: %s\n%s", msg, sr_usage);
        return EXIT_USAGE;
    }

    /* A stdout consumer that goes away must not kill the launcher before it
     * writes its verdict; a termination request stops the program first. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    cfg.on_stdout = cli.stdout_frames ? to_frames : to_stdout;
    cfg.cancel_fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
    cfg.on_stdout_ctx = NULL;
    sr_frames_init(&frames, STDOUT_FILENO, 0);
    if (cli.stdout_frames) sr_relay_on_idle(frames_idle, FRAMES_IDLE_MS);

    sr_result res;
    int rc = sr_run(&cfg, &res);
    /* The E frame carries the result's own figures, also for empty or
     * capped stdout. A run that never started has no digest: no E frame
     * (the result says why). A consumer gone by now changes nothing: the
     * result below still says what was passed on. */
    if (cli.stdout_frames && strlen(res.stdout_sha256) == 64)
        (void)sr_frames_end(&frames, res.stdout_bytes, res.stdout_sha256);
    if (write_result(result_path, &res) < 0) {
        /* Nowhere else to say it: stderr is the last resort even with --result. */
        fprintf(stderr, "sandbox-launch: cannot write the result to %s: %s\n", result_path, strerror(errno));
        return EXIT_SOFTWARE;
    }
    /* rc 1: the program or its stdin was unusable, nothing ran. */
    return rc == 0 ? EXIT_VERDICT : rc == 1 ? EXIT_USAGE : EXIT_SOFTWARE;
}
