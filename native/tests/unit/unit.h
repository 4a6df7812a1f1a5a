/* A few lines of test harness shared by the unit tests: each CHECK counts,
 * a failure says where and what; unit_done() gives the exit status. */
#ifndef SR_UNIT_H
#define SR_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond, ...) do { \
        if (cond) unit_passed++; \
        else { unit_failed++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
               fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
    } while (0)

#define CHECK_STR(got, want) do { \
        const char *g_ = (got), *w_ = (want); \
        CHECK((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0), \
              "%s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

static inline int unit_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

#endif
