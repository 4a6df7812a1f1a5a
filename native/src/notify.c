/*
 * Seccomp user notifications. The filter sends two kinds:
 * - a call outside the profile: the supervisor kills the program first and
 *   only then answers, so the call never runs; the call's name goes into
 *   the result;
 * - exit_group and exit: the program's peak memory is read, then it may go;
 * - a large writable mapping (the memory prefix, policy.c): allowed to
 *   proceed unchanged (its arguments are registers, so nothing can change
 *   between the look and the call), but remembered when the kernel will
 *   refuse it, so that a program whose allocation then fails and which
 *   exits with an error of its own still gets MemoryLimitExceeded.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy.h"
#include "run.h"
#include "util.h"

static int memory_call(struct sr_run *run, const struct seccomp_data *d)
{
    if (d->arch != AUDIT_ARCH_X86_64 || run->cfg->profile == SR_PROFILE_STRICT) return 0;
    if (d->nr != __NR_mmap && d->nr != __NR_mremap) return 0;
    uint64_t want = d->nr == __NR_mmap ? d->args[1] : d->args[2];
    uint64_t old = d->nr == __NR_mremap ? d->args[1] : 0;
    /* Memory is limited where it is touched, so a reservation beyond the
     * limit is the program's right. Only one the kernel refuses outright
     * (beyond all memory) means memory ran short, if the program then fails. */
    /* MAP_NORESERVE is never refused for size under the usual overcommit. */
    int noreserve = d->nr == __NR_mmap && (d->args[3] & MAP_NORESERVE);
    if (want > old && want - old > run->refused_above && !noreserve) run->facts.memory_refused = 1;
    return 1;
}

void sr_notify_handle(struct sr_run *run)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof req);
    if (ioctl(run->child.listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;   /* ENOENT: it died */
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    /* Ids are consecutive. A gap is a notification that a signal withdrew
     * before it was taken: the program raced a handled signal against a
     * call the filter sent here. Whatever it was, the program is stopped
     * (a violation it dodged must not become a Completed). */
    int gap = run->child.notif_next != 0 && req.id != run->child.notif_next;
    run->child.notif_next = req.id + 1;
    int is_exit = req.data.arch == AUDIT_ARCH_X86_64 &&
                  (req.data.nr == __NR_exit_group || req.data.nr == __NR_exit);
    if (is_exit && !gap) {
        struct sr_mem_sample s;
        sr_run_sample_memory(run, &s);              /* the last look at its peak memory */
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else if (!is_exit && memory_call(run, &req.data) && !gap) {
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else {
        if (!is_exit && !memory_call(run, &req.data)) {
            if (!run->facts.syscall[0]) {
                sr_syscall_name(req.data.arch, req.data.nr, run->facts.syscall, sizeof run->facts.syscall);
                run->facts.hint = sr_policy_hint(run->cfg->profile, &req.data);
            }
        } else {
            run->facts.dodged = 1;
        }
        sr_run_kill(run, KILL_SYSCALL);
        resp.error = -EPERM;
    }
    ioctl(run->child.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}
