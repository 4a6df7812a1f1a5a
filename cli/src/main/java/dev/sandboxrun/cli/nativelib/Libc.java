package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls the CLI makes itself: probes for {@code doctor}, the cancel pipe. */
public interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    long SYS_SECCOMP = 317;                 // x86-64
    int SECCOMP_GET_ACTION_AVAIL = 2;
    int SECCOMP_GET_NOTIF_SIZES = 3;
    int SECCOMP_RET_KILL_PROCESS = 0x80000000;
    int SECCOMP_RET_ERRNO = 0x00050000;
    int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    int PR_GET_SECCOMP = 21;
    int PR_GET_NO_NEW_PRIVS = 39;
    int ENOSYS = 38;
    int EINVAL = 22;
    int EACCES = 13;
    int EPERM = 1;
    int EROFS = 30;
    int EEXIST = 17;
    int W_OK = 2;
    long CGROUP2_SUPER_MAGIC = 0x63677270L;
    long TMPFS_MAGIC = 0x01021994L;
    long CGROUP_SUPER_MAGIC = 0x27e0ebL;

    long syscall(long number, Object... args);

    int prctl(int option, Object... args);

    int statfs(String path, Pointer buf);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int access(String path, int mode);

    int geteuid();

    int getpid();

    int pipe2(int[] fds, int flags);

    long write(int fd, byte[] buf, long count);

    int close(int fd);

    String strerror(int errnum);
}
