#include "memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U          /* Linux 6.3 */
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020        /* Linux 6.3 */
#endif

/* The name shows in the program's /proc/self/exe as "/memfd:sandboxrun-program (deleted)". */
static const char NAME[] = "sandboxrun-program";

static int memfd(unsigned flags)
{
    return (int)syscall(SYS_memfd_create, NAME, flags);
}

int sr_memfd_create(char *msg, size_t msglen)
{
    const unsigned base = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    /* MFD_EXEC asks for an executable memfd where vm.memfd_noexec=1 would
     * otherwise make it non-executable; a kernel before 6.3 does not know
     * the flag (EINVAL), and there every memfd is executable. */
    int fd = memfd(base | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) fd = memfd(base);
    if (fd >= 0) return fd;
    if (errno == EACCES)
        sr_fmt(msg, msglen, "this kernel forbids executable memfds here (vm.memfd_noexec=2 in the launcher's "
               "pid namespace): a program in parts, with a digest, or on a noexec mount runs from a memfd, "
               "so it cannot run; run the launcher where vm.memfd_noexec is 0 or 1, or give a single PROGRAM on an executable mount "
               "without --program-sha256");
    else
        sr_fmt(msg, msglen, "memfd_create: %s", strerror(errno));
    return -1;
}

int sr_memfd_seal(int fd, char *msg, size_t msglen)
{
    /* No write bit for anyone: a program that could reopen its own
     * /proc/self/exe (as another uid than root, the owner) is refused at
     * the open, before the seals are even asked. */
    if (fchmod(fd, 0555) < 0) {
        sr_fmt(msg, msglen, "fchmod of the program's memfd: %s", strerror(errno));
        return -1;
    }
    const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    /* F_SEAL_EXEC (6.3) also freezes the exec bits; older kernels refuse the bit. */
    if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) == 0) return 0;
    if (errno == EINVAL && fcntl(fd, F_ADD_SEALS, seals) == 0) return 0;
    sr_fmt(msg, msglen, "sealing the program's memfd: %s", strerror(errno));
    return -1;
}
