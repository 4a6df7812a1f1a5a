package dev.sandboxrun.cli.command;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import dev.sandboxrun.cli.nativelib.Libc;
import dev.sandboxrun.cli.nativelib.NativeUnavailableException;
import dev.sandboxrun.cli.nativelib.Platforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true, description = {"What this machine supports, probed with system calls: seccomp filters, "
        + "user notification, cgroup version, a writable cgroup, user namespaces; and a plain verdict: can it run "
        + "sandboxes, with which limits enforced how. Exit status 0 when it can, 13 when it cannot."})
public final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    /** What the probes found; public for tests. */
    public record Findings(String platform, boolean seccompFilters, String seccompDetail, boolean userNotification,
                           String processSeccompMode, boolean root, String cgroupVersion, String memoryCgroup,
                           boolean writableCgroup, String writableDetail, String userNamespaces, String library,
                           String libraryError) {
        public boolean canRun() {
            return platform == null && seccompFilters && library != null;
        }
    }

    @Override
    public Integer call() {
        Findings f = probe();
        for (String line : report(f)) {
            main.err().println(line);
        }
        return f.canRun() ? ExitCodes.OK : ExitCodes.UNSUPPORTED;
    }

    public static Findings probe() {
        String platform = Platforms.unsupportedReason();
        if (platform != null) {
            return new Findings(platform, false, null, false, null, false, null, null, false, null, null, null, platform);
        }
        Libc c = Libc.INSTANCE;
        String seccompWhy = Platforms.seccompUnavailableReason();
        boolean notify = Platforms.actionUnavailable(Libc.SECCOMP_RET_USER_NOTIF, "SECCOMP_RET_USER_NOTIF") == null;
        int mode = c.prctl(Libc.PR_GET_SECCOMP, 0L, 0L, 0L, 0L);
        String modeText = switch (mode) {
            case 0 -> "none";
            case 2 -> "filter (this process already runs under one, e.g. a container's: profiles stack beneath it)";
            default -> mode < 0 ? "unknown (" + c.strerror(Native.getLastError()) + ")" : String.valueOf(mode);
        };
        boolean root = c.geteuid() == 0;

        // cgroups: what /sys/fs/cgroup is, and where this process is.
        String version;
        Memory buf = new Memory(256);
        if (c.statfs("/sys/fs/cgroup", buf) != 0) {
            version = "none (/sys/fs/cgroup is not mounted)";
        } else {
            long type = buf.getLong(0);
            if (type == Libc.CGROUP2_SUPER_MAGIC) {
                version = "v2";
            } else if (type == Libc.TMPFS_MAGIC) {
                version = Files.isDirectory(Path.of("/sys/fs/cgroup/memory")) ? "v1" : "v1 (no memory controller)";
                if (Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.controllers"))) {
                    version += " (hybrid: v2 at /sys/fs/cgroup/unified)";
                }
            } else {
                version = "unknown (filesystem type 0x" + Long.toHexString(type) + ")";
            }
        }
        String memoryCgroup = memoryCgroupDir(version);
        boolean writable = false;
        String writableDetail;
        if (memoryCgroup == null) {
            writableDetail = "no memory cgroup found for this process";
        } else {
            String probe = memoryCgroup + "/sandboxrun-doctor-" + c.getpid();
            if (c.mkdir(probe, 0755) == 0) {
                writable = true;
                writableDetail = "created and removed " + probe;
                c.rmdir(probe);
            } else {
                int err = Native.getLastError();
                writableDetail = "cannot create a cgroup beneath " + memoryCgroup + ": " + c.strerror(err)
                        + (err == Libc.EROFS ? " (read-only, as inside a pod)" : "");
            }
        }
        String userns = userNamespaces();
        String lib = null;
        String libError = null;
        try {
            lib = LibSandboxRun.get().path();
        } catch (NativeUnavailableException e) {
            libError = e.getMessage();
        }
        return new Findings(null, seccompWhy == null, seccompWhy, notify, modeText, root, version, memoryCgroup,
                writable, writableDetail, userns, lib, libError);
    }

    /** The folder of this process's memory cgroup (v1 memory controller, or v2 unified), or null. */
    private static String memoryCgroupDir(String version) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
        } catch (IOException e) {
            return null;
        }
        for (String l : lines) {
            String[] p = l.split(":", 3);
            if (p.length < 3) {
                continue;
            }
            if (version.startsWith("v1") && List.of(p[1].split(",")).contains("memory")) {
                return "/sys/fs/cgroup/memory" + (p[2].equals("/") ? "" : p[2]);
            }
            if (version.startsWith("v2") && p[0].equals("0") && p[1].isEmpty()) {
                return "/sys/fs/cgroup" + (p[2].equals("/") ? "" : p[2]);
            }
        }
        return null;
    }

    private static String userNamespaces() {
        String max = read("/proc/sys/user/max_user_namespaces");
        String unpriv = read("/proc/sys/kernel/unprivileged_userns_clone");
        String apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if (max == null) {
            return "not available (no /proc/sys/user/max_user_namespaces)";
        }
        if (max.equals("0")) {
            return "disabled (user.max_user_namespaces = 0)";
        }
        String s = "available (user.max_user_namespaces = " + max + ")";
        if ("0".equals(unpriv)) {
            s += ", but not for unprivileged users (kernel.unprivileged_userns_clone = 0)";
        }
        if ("1".equals(apparmor)) {
            s += ", restricted by AppArmor for unprivileged users";
        }
        return s + "; the launcher does not need them";
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return null;
        }
    }

    public static List<String> report(Findings f) {
        List<String> out = new ArrayList<>();
        if (f.platform() != null) {
            out.add("platform            " + f.platform());
            out.add("");
            out.add("verdict: this machine cannot run sandboxes locally; `sandboxrun submit` runs them on a cluster.");
            return out;
        }
        out.add("platform            linux-x86-64 (" + System.getProperty("os.version") + ")");
        out.add("seccomp filters     " + (f.seccompFilters() ? "yes (SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO)"
                : "NO: " + f.seccompDetail()));
        out.add("user notification   " + (f.userNotification() ? "yes (SECCOMP_RET_USER_NOTIF)" : "no"));
        out.add("this process        seccomp mode " + f.processSeccompMode());
        out.add("running as          " + (f.root() ? "root: programs run as uid/gid 65534" : "uid "
                + Libc.INSTANCE.geteuid() + ": programs keep this uid"));
        out.add("cgroups             " + f.cgroupVersion());
        out.add("writable cgroup     " + (f.writableCgroup() ? "yes: " : "no: ") + f.writableDetail());
        out.add("user namespaces     " + f.userNamespaces());
        out.add("library             " + (f.library() != null ? f.library() : "NOT LOADED: " + f.libraryError()));
        out.add("");
        if (!f.canRun()) {
            out.add("verdict: this machine cannot run sandboxes: "
                    + (f.seccompFilters() ? f.libraryError() : f.seccompDetail()));
            return out;
        }
        out.add("verdict: this machine can run sandboxes.");
        out.add("  system calls   seccomp BPF filter per profile (strict, compute, threads), loaded before the one exec; "
                + (f.userNotification() ? "a denied call ends the run as SyscallViolation with the call's name"
                : "a denied call kills the program (SyscallViolation, the call's name unknown: no user notification)"));
        out.add("  CPU time       the supervisor reads the program's CPU clock (all threads); RLIMIT_CPU as a backstop");
        out.add("  wall clock     the supervisor's timer");
        if (f.writableCgroup()) {
            String v = f.cgroupVersion().startsWith("v2") ? "cgroup-v2" : "cgroup-v1";
            out.add("  memory         a cgroup of its own per run (" + v + "): a hard limit on pages used; "
                    + "exceeding it is MemoryLimitExceeded");
            out.add("  processes      the pids controller and the filter (no fork; threads only under `threads`)");
        } else {
            out.add("  memory         no cgroup of its own here: the supervisor watches resident memory every 10 ms"
                    + " (a burst between two looks can overshoot; the container's cgroup, if limited, is the hard wall)");
            out.add("  processes      the filter (no fork; threads only under `threads`), RLIMIT_NPROC");
        }
        out.add("  output         stdout capped by the relay (one byte more is OutputLimitExceeded), SHA-256 of what passed");
        out.add("  files          opening a file read-only fails with EACCES (so libc and runtimes start); opening one"
                + " for writing or creating one is a SyscallViolation (the program is killed)");
        out.add("  network        none: sockets are a SyscallViolation; so are exec, fork (outside `threads`),"
                + " namespaces, ptrace, bpf");
        return out;
    }
}
