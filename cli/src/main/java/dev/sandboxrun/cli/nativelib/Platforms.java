package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Native;

/** Where libsandboxrun can run, checked with plain Java before JNA loads anything. */
public final class Platforms {
    /** JNA's resource prefix for the one platform the launcher supports. */
    public static final String RESOURCE_PREFIX = "linux-x86-64";

    private Platforms() {
    }

    /** Null when this is linux-x86-64, else why sandboxes cannot run here. */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        if (!os.equals("Linux")) {
            return "local runs need Linux on x86-64; this is " + os + " on " + arch
                    + " (use `sandboxrun submit` to run on a cluster)";
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return "local runs need Linux on x86-64; this is Linux on " + arch
                    + " (the launcher's seccomp filters are built for x86-64)";
        }
        return null;
    }

    /**
     * Null when the kernel has seccomp filters with the actions the launcher's profiles use, else
     * what is missing.
     */
    public static String seccompUnavailableReason() {
        Libc c = Libc.INSTANCE;
        if (c.prctl(Libc.PR_GET_SECCOMP, 0L, 0L, 0L, 0L) < 0 && Native.getLastError() == Libc.EINVAL) {
            return "this kernel has no seccomp (built without CONFIG_SECCOMP): sandboxes cannot run here";
        }
        String kill = actionUnavailable(Libc.SECCOMP_RET_KILL_PROCESS, "SECCOMP_RET_KILL_PROCESS");
        if (kill != null) {
            return kill;
        }
        return actionUnavailable(Libc.SECCOMP_RET_ERRNO, "SECCOMP_RET_ERRNO");
    }

    /** Null when the kernel's seccomp filters have this action. */
    public static String actionUnavailable(int action, String name) {
        int[] a = {action};
        long rc = Libc.INSTANCE.syscall(Libc.SYS_SECCOMP, (long) Libc.SECCOMP_GET_ACTION_AVAIL, 0L, a);
        if (rc == 0) {
            return null;
        }
        int err = Native.getLastError();
        if (err == Libc.ENOSYS) {
            return "this kernel has no seccomp(2) system call (Linux 3.17 or later with CONFIG_SECCOMP_FILTER is needed)";
        }
        return "this kernel's seccomp filters lack " + name + " (" + Libc.INSTANCE.strerror(err)
                + "; Linux 4.14 or later is needed)";
    }
}
