/* Verdict and signal names, and the result document. */
#ifndef SR_RESULT_H
#define SR_RESULT_H
#include "sandboxrun.h"

const char *sr_signal_name(int sig, char *buf, size_t cap);
/* Sets verdict and message (printf-style) on r. */
void sr_result_set(sr_result *r, sr_verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A LaunchError with its reason (printf-style). */
void sr_launch_error(sr_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
