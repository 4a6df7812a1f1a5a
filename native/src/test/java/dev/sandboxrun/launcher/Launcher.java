package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real sandbox-launch binary, the way the operator and the CLI do, and
 * checks what the contract (docs/launcher-contract.md) promises about every run.
 *
 * <p>Everything a run needs (the launcher, the test programs) is copied once into a fresh
 * 0755 folder under /tmp, so that uid 65534 can read and execute it even when the clone
 * lives in a 0700 folder. Each run happens in one of the two {@link Situation}s the launcher
 * meets.
 */
final class Launcher {

    /** The two situations the launcher meets. */
    enum Situation {
        /** Local runs: the launcher is root and creates a cgroup beneath its own. */
        ROOT_WITH_CGROUP,
        /** A pod: uid 65534, no capabilities, no writable cgroup. */
        UNPRIVILEGED_NO_CGROUP
    }

    static final List<String> VERDICTS = List.of("Completed", "NonZeroExit", "Signaled",
            "CpuTimeLimitExceeded", "WallTimeLimitExceeded", "MemoryLimitExceeded",
            "OutputLimitExceeded", "SyscallViolation", "LaunchError");

    static final int RESULT_MAX = 4096;
    static final int STDERR_TAIL_MAX = 1024;

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final String[] SETPRIV = {"setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"};

    /**
     * PID 1 of a fresh PID namespace (bash): writes the namespace's name (pid:[INODE]) to
     * REPORT.ns, so that the harness knows the cgroups its launcher names after it; opens
     * descriptors 5..20 on a file when asked,
     * runs the command, then lists every process still alive in the namespace into the
     * report file (only builtins run after the command, so nothing of ours is listed).
     */
    private static final String NS_INIT = String.join("\n",
            "report=$1; fdfile=$2; shift 2",
            "readlink /proc/self/ns/pid > \"$report.ns\"",
            "if [ \"$fdfile\" != - ]; then",
            "  exec 5<>\"$fdfile\" 6<>\"$fdfile\" 7<>\"$fdfile\" 8<>\"$fdfile\" 9<>\"$fdfile\"",
            "  exec 10<>\"$fdfile\" 11<>\"$fdfile\" 12<>\"$fdfile\" 13<>\"$fdfile\" 14<>\"$fdfile\"",
            "  exec 15<>\"$fdfile\" 16<>\"$fdfile\" 17<>\"$fdfile\" 18<>\"$fdfile\" 19<>\"$fdfile\"",
            "  exec 20<>\"$fdfile\"",
            "fi",
            "\"$@\"",
            "rc=$?",
            ": > \"$report\"",
            "for d in /proc/[0-9]*; do",
            "  p=${d#/proc/}",
            "  [ \"$p\" = \"$$\" ] && continue",
            "  st=",
            "  read -r st < \"$d/stat\" 2>/dev/null || continue",
            "  echo \"$st\" >> \"$report\"",
            "done",
            "exit $rc",
            "");

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Path staging;

    private Launcher() {
    }

    // ------------------------------------------------------------------ environment

    static Path buildDir() {
        String b = System.getProperty("sandboxrun.native.build");
        return (b != null ? Path.of(b) : Path.of("build")).toAbsolutePath();
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Skips (visibly) a test whose situation cannot be produced here. */
    static void assumeSituation(Situation s) {
        switch (s) {
            case ROOT_WITH_CGROUP -> {
                Assumptions.assumeTrue(isRoot(),
                        "situation ROOT_WITH_CGROUP needs the tests to run as root");
                Assumptions.assumeTrue(!ownCgroupDirs().isEmpty(),
                        "situation ROOT_WITH_CGROUP needs a cgroup file system under /sys/fs/cgroup");
            }
            case UNPRIVILEGED_NO_CGROUP -> {
                if (isRoot()) {
                    Assumptions.assumeTrue(onPath("setpriv"),
                            "situation UNPRIVILEGED_NO_CGROUP needs setpriv (util-linux) to drop root");
                }
            }
        }
    }

    /** Attack runs happen in a fresh PID namespace: that needs root and unshare. */
    static void assumePidNamespace() {
        Assumptions.assumeTrue(isRoot(), "attack tests run in a fresh PID namespace, which needs root");
        Assumptions.assumeTrue(onPath("unshare") && onPath("bash"),
                "attack tests need unshare (util-linux) and bash");
    }

    /** The staging folder: launcher and test programs, readable and executable by everyone. */
    static synchronized Path staging() {
        if (staging != null) {
            return staging;
        }
        Path build = buildDir();
        Path launcher = build.resolve("sandbox-launch");
        assertTrue(Files.isRegularFile(launcher),
                "the launcher is not built: " + launcher + " (run make -C native)");
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "sandboxrun-launcher-tests-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            copyExecutable(launcher, dir.resolve("sandbox-launch"));
            for (String kind : List.of("attack", "legit", "tools")) {
                Path from = build.resolve("tests").resolve(kind);
                assertTrue(Files.isDirectory(from),
                        "test programs are not built: " + from + " (run make -C native test-programs)");
                Path to = Files.createDirectory(dir.resolve(kind));
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
                    for (Path p : ds) {
                        copyExecutable(p, to.resolve(p.getFileName()));
                    }
                }
            }
            Path work = Files.createDirectory(dir.resolve("work"));
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            staging = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at exit
        }
    }

    static Path launcher() {
        return staging().resolve("sandbox-launch");
    }

    static Path legit(String name) {
        Path p = staging().resolve("legit").resolve(name);
        assertTrue(Files.isRegularFile(p), "test program not built: " + p);
        return p;
    }

    static Path attack(String name) {
        Path p = staging().resolve("attack").resolve(name);
        assertTrue(Files.isRegularFile(p), "test program not built: " + p);
        return p;
    }

    /** A helper program of native/tests/tools (put around the launcher). */
    static Path tool(String name) {
        Path p = staging().resolve("tools").resolve(name);
        assertTrue(Files.isRegularFile(p), "test tool not built: " + p);
        return p;
    }

    /** A fresh path in the world-writable work folder (not created). */
    static Path workPath(String prefix) {
        return staging().resolve("work").resolve(prefix + "-" + ProcessHandle.current().pid()
                + "-" + COUNTER.incrementAndGet());
    }

    /** Writes a file that uid 65534 can read (mode given as rwx string). */
    static Path workFile(String prefix, byte[] content, String perms) {
        Path p = workPath(prefix);
        try {
            Files.write(p, content);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    // ------------------------------------------------------------------ cgroups and processes

    /** The folders of this JVM's own cgroups (the launcher, our child, starts in them). */
    static List<Path> ownCgroupDirs() {
        List<Path> dirs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                List<String> mounts = new ArrayList<>();
                if (f[1].isEmpty()) {
                    mounts.add("unified");
                    mounts.add("");
                } else {
                    mounts.add(f[1]);
                    for (String c : f[1].split(",")) {
                        mounts.add(c.startsWith("name=") ? c.substring(5) : c);
                    }
                }
                for (String m : mounts) {
                    Path d = Path.of("/sys/fs/cgroup", m, f[2].substring(1));
                    if (!dirs.contains(d) && Files.isDirectory(d)
                            && (Files.exists(d.resolve("cgroup.procs")))) {
                        dirs.add(d);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dirs;
    }

    /** Every sandboxrun-* folder beneath our own cgroups, at any depth. */
    static Set<Path> sandboxCgroups() {
        Set<Path> found = new TreeSet<>();
        for (Path d : ownCgroupDirs()) {
            try (Stream<Path> s = Files.walk(d, 4)) {
                s.filter(Files::isDirectory)
                        .filter(p -> p.getFileName().toString().startsWith("sandboxrun-"))
                        .forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                // a folder vanished while we walked: fine
            }
        }
        return found;
    }

    // ------------------------------------------------------------------ launchers of ours

    /*
     * Other launchers may run on this machine at any time (a person's run, another test
     * suite), beneath the same cgroups. What a test checks is what ITS launchers left: a
     * run's cgroup is named sandboxrun-<pid namespace inode>-<launcher pid>-<n>, so the
     * harness records the pid of every launcher it starts directly (wrappers exec the
     * launcher, so the pid is the launcher's; a wrapper that forks belongs in a fresh PID
     * namespace) and the namespace of every launcher it starts in a fresh PID namespace.
     */
    private static final Set<Long> LAUNCHER_PIDS = ConcurrentHashMap.newKeySet();
    private static final Set<Long> LAUNCHER_NAMESPACES = ConcurrentHashMap.newKeySet();
    private static final Pattern CGROUP_NAME = Pattern.compile("sandboxrun-(\\d+)-(\\d+)-\\d+");

    /** Forgets the launchers started so far (before each test). */
    static void forgetLaunchers() {
        LAUNCHER_PIDS.clear();
        LAUNCHER_NAMESPACES.clear();
    }

    /** The inode of a process's PID namespace; "self" for ours. */
    static long pidNamespaceOf(String pid) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", pid, "ns", "pid"), "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a sandboxrun-* cgroup belongs to the launcher with this pid in our PID namespace. */
    static boolean cgroupOfPid(Path cgroup, long pid) {
        Matcher m = CGROUP_NAME.matcher(cgroup.getFileName().toString());
        return m.matches() && Long.parseLong(m.group(1)) == pidNamespaceOf("self")
                && Long.parseLong(m.group(2)) == pid;
    }

    /** Whether a sandboxrun-* cgroup belongs to a launcher this test started. */
    static boolean isOurs(Path cgroup) {
        Matcher m = CGROUP_NAME.matcher(cgroup.getFileName().toString());
        if (!m.matches()) {
            return false;
        }
        long ns = Long.parseLong(m.group(1));
        return LAUNCHER_NAMESPACES.contains(ns)
                || ns == pidNamespaceOf("self") && LAUNCHER_PIDS.contains(Long.parseLong(m.group(2)));
    }

    /** The sandboxrun-* cgroups of the launchers this test started. */
    static Set<Path> ourCgroups() {
        Set<Path> ours = new TreeSet<>(sandboxCgroups());
        ours.removeIf(p -> !isOurs(p));
        return ours;
    }

    /**
     * Staged processes that are not another's: a live launcher this test did not start, and
     * its program (whose parent it is), are someone else's run.
     */
    static List<String> ourStagedProcesses() {
        String launcherExe = " " + launcher();
        Set<Long> foreign = new TreeSet<>();
        List<String> staged = stagedProcesses();
        for (String l : staged) {
            long pid = Long.parseLong(l.substring(0, l.indexOf(' ')));
            if (l.endsWith(launcherExe) && !LAUNCHER_PIDS.contains(pid)) {
                foreign.add(pid);
            }
        }
        List<String> ours = new ArrayList<>();
        for (String l : staged) {
            long pid = Long.parseLong(l.substring(0, l.indexOf(' ')));
            long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
            if (!foreign.contains(pid) && !foreign.contains(parent)) {
                ours.add(l);
            }
        }
        return ours;
    }

    /**
     * After a test: no cgroup and no process of the launchers it started is left. A leaked
     * cgroup is removed (when empty) so that one leak does not fail every later test.
     */
    static void assertNothingLeftBehind() {
        // our launchers have exited: their cgroups are gone (a launcher removes its cgroup
        // before it exits); a moment's grace only delays the report of a leak
        Set<Path> left = ourCgroups();
        waitUntil(() -> {
            left.removeIf(p -> !Files.exists(p));
            return left.isEmpty();
        }, 1000);
        List<String> procs = ourStagedProcesses();
        for (Path p : left) {
            try {
                Files.deleteIfExists(p); // rmdir
            } catch (IOException e) {
                // still populated: reported below anyway
            }
        }
        assertTrue(left.isEmpty(), "cgroups left behind by the launcher: " + left);
        assertTrue(procs.isEmpty(), "processes left behind by the launcher: " + procs);
    }

    /** Where /proc/PID/exe of a program run from the launcher's memfd points. */
    static final String MEMFD_EXE = "/memfd:sandboxrun-program";

    /** Whether the process's parent runs the staged launcher (a memfd program's is). */
    private static boolean parentIsStagedLauncher(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String ppid = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1];
            return Files.readSymbolicLink(Path.of("/proc", ppid, "exe")).equals(launcher());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Processes (outside any PID namespace of ours) running a file of the staging folder, or
     * a launcher's memfd beneath a staged launcher.
     */
    static List<String> stagedProcesses() {
        List<String> found = new ArrayList<>();
        String prefix = staging().toString() + "/";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                try {
                    String exe = Files.readSymbolicLink(p.resolve("exe")).toString();
                    if (exe.startsWith(prefix) || exe.startsWith(MEMFD_EXE) && parentIsStagedLauncher(p)) {
                        found.add(p.getFileName() + " " + exe);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // gone, a kernel thread, or not ours to see
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    // ------------------------------------------------------------------ invocations

    static Invocation in(Situation s) {
        return new Invocation(s);
    }

    /** One launcher run, built fluently. */
    static final class Invocation {
        final Situation situation;
        final List<String> options = new ArrayList<>();
        String program;
        final List<String> args = new ArrayList<>();
        boolean useResultFile = true;
        boolean dashDash = true;
        boolean pidNamespace;
        Path extraFdFile;
        byte[] launcherStdin = new byte[0];
        final Map<String, String> env = new LinkedHashMap<>();
        final List<String> innerPrefix = new ArrayList<>();
        final List<String> outerPrefix = new ArrayList<>();
        String groups;
        long timeoutMs = 60_000;
        Function<InputStream, CompletableFuture<byte[]>> stdoutReader;

        Invocation(Situation s) {
            this.situation = s;
        }

        Invocation opt(String... o) {
            options.addAll(Arrays.asList(o));
            return this;
        }

        Invocation program(Path p, String... a) {
            return program(p.toString(), a);
        }

        Invocation program(String p, String... a) {
            program = p;
            args.addAll(Arrays.asList(a));
            return this;
        }

        /** Result on the launcher's stderr (no --result). */
        Invocation resultOnStderr() {
            useResultFile = false;
            return this;
        }

        Invocation noDashDash() {
            dashDash = false;
            return this;
        }

        /** Runs in a fresh PID namespace and reports what survives the launcher there. */
        Invocation inPidNamespace() {
            pidNamespace = true;
            return this;
        }

        /** Starts the launcher with descriptors 5..20 open (read-write) on this file. */
        Invocation extraFds(Path file) {
            extraFdFile = file;
            return inPidNamespace();
        }

        Invocation launcherStdin(byte[] b) {
            launcherStdin = b;
            return this;
        }

        Invocation env(String k, String v) {
            env.put(k, v);
            return this;
        }

        /**
         * A command put between the privilege drop and the launcher (e.g. prlimit). One that
         * forks the launcher instead of executing it needs {@link #inPidNamespace}, for the
         * harness to know the launcher's cgroups.
         */
        Invocation wrap(String... cmd) {
            innerPrefix.addAll(Arrays.asList(cmd));
            return this;
        }

        /** Reads the launcher's stdout with this instead of at once (e.g. a slow consumer). */
        Invocation stdoutReader(Function<InputStream, CompletableFuture<byte[]>> reader) {
            stdoutReader = reader;
            return this;
        }

        /** A command put before everything else, the privilege drop included (e.g. unshare). */
        Invocation outer(String... cmd) {
            outerPrefix.addAll(Arrays.asList(cmd));
            return this;
        }

        /** Unprivileged: keeps these supplementary groups (comma-separated) instead of none. */
        Invocation groups(String csv) {
            groups = csv;
            return this;
        }

        Invocation timeoutMs(long ms) {
            timeoutMs = ms;
            return this;
        }

        Run run() {
            return start().finish();
        }

        /**
         * Starts the launcher and returns at once: for a test that signals the launcher
         * mid-run, or runs a second one beside it. {@link Started#finish} collects the run.
         */
        Started start() {
            assumeSituation(situation);
            if (pidNamespace) {
                assumePidNamespace();
            }
            Path resultFile = useResultFile ? workPath("result") : null;
            Path report = pidNamespace ? workPath("survivors") : null;

            List<String> cmd = new ArrayList<>(outerPrefix);
            if (pidNamespace) {
                cmd.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--",
                        "bash", "-c", NS_INIT, "nsinit", report.toString(),
                        extraFdFile == null ? "-" : extraFdFile.toString()));
            }
            if (situation == Situation.UNPRIVILEGED_NO_CGROUP && isRoot()) {
                cmd.addAll(Arrays.asList(SETPRIV));
                if (groups != null) {
                    cmd.set(cmd.indexOf("--clear-groups"), "--groups=" + groups);
                }
            }
            cmd.addAll(innerPrefix);
            cmd.add(launcher().toString());
            if (resultFile != null) {
                cmd.add("--result=" + resultFile);
            }
            cmd.addAll(options);
            if (program != null) {
                if (dashDash) {
                    cmd.add("--");
                }
                cmd.add(program);
            }
            cmd.addAll(args);

            ProcessBuilder pb = new ProcessBuilder(cmd).directory(staging().toFile());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!pidNamespace && outerPrefix.isEmpty()) {
                LAUNCHER_PIDS.add(p.pid());
            }
            AtomicBoolean destroyed = new AtomicBoolean();
            CompletableFuture<byte[]> out = stdoutReader != null ? stdoutReader.apply(p.getInputStream())
                    : readAll(p.getInputStream(), destroyed::get);
            CompletableFuture<byte[]> err = readAll(p.getErrorStream(), destroyed::get);
            try (OutputStream in = p.getOutputStream()) {
                in.write(launcherStdin);
            } catch (IOException e) {
                // the launcher need not read its own stdin
            }
            return new Started(this, cmd, p, resultFile, report, t0, out, err, destroyed);
        }
    }

    /** A launcher started by {@link Invocation#start}, not yet waited for. */
    static final class Started {
        final Invocation inv;
        final List<String> cmd;
        private final Process p;
        private final Path resultFile;
        private final Path report;
        private final long t0;
        private final CompletableFuture<byte[]> out;
        private final CompletableFuture<byte[]> err;
        private final AtomicBoolean destroyed;

        Started(Invocation inv, List<String> cmd, Process p, Path resultFile, Path report, long t0,
                CompletableFuture<byte[]> out, CompletableFuture<byte[]> err, AtomicBoolean destroyed) {
            this.inv = inv;
            this.cmd = cmd;
            this.p = p;
            this.resultFile = resultFile;
            this.report = report;
            this.t0 = t0;
            this.out = out;
            this.err = err;
            this.destroyed = destroyed;
        }

        /**
         * The launcher's pid, to signal it: only without a PID namespace and a wrapper
         * (setpriv executes the launcher, so its pid is the launcher's).
         */
        long launcherPid() {
            assertTrue(!inv.pidNamespace && inv.innerPrefix.isEmpty() && inv.outerPrefix.isEmpty(),
                    "only a launcher started directly (no namespace, no wrapper) can be signalled");
            return p.pid();
        }

        /**
         * Sends a signal (KILL, TERM, STOP, CONT...) to the launcher. Never through
         * Process.destroy(): the JDK closes the process's streams there, under the feet of
         * the threads still reading them.
         */
        void signal(String name) {
            long pid = launcherPid();
            try {
                int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor();
                assertEquals(0, rc, "kill -" + name + " " + pid);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The cgroups (sandboxrun-*) this launcher created, while they exist. */
        Set<Path> cgroups() {
            long pid = launcherPid();
            Set<Path> mine = new TreeSet<>(sandboxCgroups());
            mine.removeIf(c -> !cgroupOfPid(c, pid));
            return mine;
        }

        /** Counts the launcher's PID namespace, whose name its init wrote, as this test's. */
        private void recordNamespace() {
            if (report == null) {
                return;
            }
            Path nsFile = Path.of(report + ".ns");
            try {
                if (Files.exists(nsFile)) {
                    Matcher m = Pattern.compile("pid:\\[(\\d+)]").matcher(Files.readString(nsFile));
                    if (m.find()) {
                        LAUNCHER_NAMESPACES.add(Long.parseLong(m.group(1)));
                    }
                    Files.delete(nsFile);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for the launcher's end (within the invocation's timeout) and collects the run. */
        Run finish() {
            long timeoutMs = inv.timeoutMs;
            int status;
            try {
                if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                    recordNamespace();
                    destroyed.set(true);
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                    fail("the launcher did not end within " + timeoutMs + " ms: " + cmd);
                }
                status = p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            List<String> survivors = new ArrayList<>();
            try {
                if (report != null) {
                    recordNamespace();
                    if (Files.exists(report)) {
                        for (String l : Files.readAllLines(report)) {
                            if (!l.isBlank()) {
                                survivors.add(l);
                            }
                        }
                        Files.deleteIfExists(report);
                    } else {
                        survivors.add("(no survivor report: the namespace's init did not finish)");
                    }
                } else {
                    survivors.addAll(ourStagedProcesses());
                }
                byte[] resultBytes = null;
                if (resultFile != null && Files.exists(resultFile)) {
                    resultBytes = Files.readAllBytes(resultFile);
                    Files.deleteIfExists(resultFile);
                }
                return new Run(inv, cmd, status, out.join(), err.join(), resultBytes, survivors, elapsedMs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Polls (every 20 ms) until the condition holds or ms have passed; whether it held. */
    static boolean waitUntil(BooleanSupplier condition, long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    /** Whether a process (outside any PID namespace of ours) runs this staged program. */
    static boolean isRunning(Path program) {
        String suffix = " " + program;
        return ourStagedProcesses().stream().anyMatch(l -> l.endsWith(suffix));
    }

    /**
     * Reads a stream to its end in the background. The harness destroys a launcher only when
     * it overran its time, and Process.destroy closes the streams: after that, "Stream
     * closed" is the end of what there is to read.
     */
    static CompletableFuture<byte[]> readAll(InputStream in, BooleanSupplier destroyed) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(got);
            } catch (IOException e) {
                if (!destroyed.getAsBoolean()) {
                    throw new UncheckedIOException(e);
                }
            }
            return got.toByteArray();
        }, READERS);
    }

    /**
     * Readers block in read() for a launcher's whole run: each gets a thread of its own
     * (the common pool has as few threads as the machine has CPUs).
     */
    static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "launcher-stream-reader");
        t.setDaemon(true);
        return t;
    });

    // ------------------------------------------------------------------ a run's outcome

    static final class Run {
        final Invocation inv;
        final List<String> cmd;
        final int status;
        final byte[] stdout;
        final byte[] stderr;
        /** Bytes of the result document: the --result file, or the launcher's stderr. */
        final byte[] resultBytes;
        final List<String> survivors;
        final long elapsedMs;
        private JsonNode result;
        private String parseError;

        Run(Invocation inv, List<String> cmd, int status, byte[] stdout, byte[] stderr,
                byte[] resultFileBytes, List<String> survivors, long elapsedMs) {
            this.inv = inv;
            this.cmd = cmd;
            this.status = status;
            this.stdout = stdout;
            this.stderr = stderr;
            this.resultBytes = inv.useResultFile ? resultFileBytes : stderr;
            this.survivors = survivors;
            this.elapsedMs = elapsedMs;
            if (resultBytes != null && resultBytes.length > 0) {
                try {
                    result = JSON.readTree(resultBytes);
                } catch (IOException e) {
                    parseError = e.getMessage();
                }
            }
        }

        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /** What to show when an assertion fails. */
        String describe() {
            String doc = resultBytes == null ? "(none)"
                    : new String(resultBytes, StandardCharsets.UTF_8);
            String so = stdoutText();
            if (so.length() > 600) {
                so = so.substring(0, 600) + "...(" + stdout.length + " bytes)";
            }
            String se = stderrText();
            if (se.length() > 600) {
                se = se.substring(0, 600) + "...(" + stderr.length + " bytes)";
            }
            List<String> shown = new ArrayList<>(cmd);
            shown.replaceAll(s -> s.contains("\n") ? "<ns-init script>" : s);
            return "\n  situation: " + inv.situation + "\n  command: " + String.join(" ", shown)
                    + "\n  exit status: " + status + "\n  result: " + doc + "\n  stdout: " + so
                    + "\n  stderr: " + se + "\n  survivors: " + survivors;
        }

        JsonNode result() {
            assertNotNull(resultBytes, "no result document was written" + describe());
            assertTrue(parseError == null, "the result document is not valid JSON: " + parseError + describe());
            assertNotNull(result, "the result document is empty" + describe());
            return result;
        }

        String verdict() {
            return result().path("verdict").asText(null);
        }

        String syscall() {
            JsonNode n = result().get("syscall");
            return n == null || n.isNull() ? null : n.asText();
        }

        long num(String field) {
            return result().get(field).asLong();
        }

        String text(String field) {
            JsonNode n = result().get(field);
            return n == null || n.isNull() ? null : n.asText();
        }

        /**
         * What every run that reached a verdict must satisfy: exit status 0; a valid result
         * document; stdoutBytes and stdoutSha256 matching the bytes we received; nothing on
         * stderr when --result was given; no process left behind.
         */
        Run reported() {
            assertEquals(0, status, "exit status" + describe());
            validateDocument(this);
            // Framed stdout (--stdout-frames) is checked by decoding it (StdoutFramesTest).
            if (!inv.options.contains("--stdout-frames")) {
                assertEquals(stdout.length, num("stdoutBytes"), "stdoutBytes vs bytes received" + describe());
                assertEquals(sha256(stdout), text("stdoutSha256"), "stdoutSha256 vs bytes received" + describe());
            }
            if (inv.useResultFile) {
                assertEquals(0, stderr.length, "the launcher wrote to stderr although --result was given"
                        + describe());
            }
            assertNoSurvivors();
            return this;
        }

        Run assertNoSurvivors() {
            assertTrue(survivors.isEmpty(), "processes survived the launcher: " + survivors + describe());
            return this;
        }

        Run verdict(String expected) {
            reported();
            assertEquals(expected, verdict(), "verdict" + describe());
            return this;
        }

        Run stdout(String expected) {
            assertEquals(expected, stdoutText(), "stdout" + describe());
            return this;
        }

        Run completedWith(String expectedStdout) {
            verdict("Completed");
            return stdout(expectedStdout);
        }

        Run syscallViolation(String... names) {
            verdict("SyscallViolation");
            if (names.length > 0) {
                assertTrue(Arrays.asList(names).contains(syscall()),
                        "syscall named " + syscall() + ", expected one of " + Arrays.toString(names)
                                + describe());
            }
            return this;
        }

        /** A usage error: exit 64 and nothing run. */
        Run usageError() {
            assertEquals(64, status, "exit status for bad input" + describe());
            return notRun();
        }

        Run notRun() {
            assertEquals(0, stdout.length, "stdout must stay empty: nothing may run" + describe());
            assertNoSurvivors();
            return this;
        }

        /**
         * How an unusable run reports: without --result a message on stderr; with
         * --result nothing on stderr and a LaunchError document whose message says why.
         */
        Run launchErrorReported(String... messageMustContainOneOf) {
            String msg;
            if (inv.useResultFile) {
                assertEquals(0, stderr.length, "stderr must stay empty with --result" + describe());
                validateDocument(this);
                assertEquals("LaunchError", verdict(), "verdict" + describe());
                msg = text("message");
            } else {
                msg = stderrText();
            }
            assertTrue(msg != null && !msg.isBlank(), "a message for a person is expected" + describe());
            if (messageMustContainOneOf.length > 0) {
                String lower = msg.toLowerCase();
                assertTrue(Arrays.stream(messageMustContainOneOf).anyMatch(w -> lower.contains(w.toLowerCase())),
                        "the message should mention one of " + Arrays.toString(messageMustContainOneOf)
                                + describe());
            }
            return this;
        }
    }

    /** The contract's result document: size, fields, types, and their agreement. */
    static void validateDocument(Run r) {
        JsonNode d = r.result();
        String ctx = r.describe();
        assertTrue(r.resultBytes.length <= RESULT_MAX + (r.inv.useResultFile ? 0 : 1),
                "the result document has " + r.resultBytes.length + " bytes, more than " + RESULT_MAX + ctx);
        assertTrue(d.isObject(), "the result document is not an object" + ctx);
        String verdict = requireText(d, "verdict", false, ctx);
        assertTrue(VERDICTS.contains(verdict), "unknown verdict " + verdict + ctx);
        JsonNode exitCode = require(d, "exitCode", ctx);
        assertTrue(exitCode.isNull() || exitCode.isInt(), "exitCode must be an int or null" + ctx);
        String signal = requireText(d, "signal", true, ctx);
        requireText(d, "syscall", true, ctx);
        for (String f : List.of("cpuMs", "wallMs", "maxRssBytes", "stdoutBytes")) {
            JsonNode n = require(d, f, ctx);
            assertTrue(n.isIntegralNumber() && n.asLong() >= 0, f + " must be a non-negative int" + ctx);
        }
        String sha = requireText(d, "stdoutSha256", false, ctx);
        assertTrue(sha.matches("[0-9a-f]{64}"), "stdoutSha256 must be 64 hex digits" + ctx);
        String programSha = requireText(d, "programSha256", true, ctx);
        assertTrue(programSha == null || programSha.matches("[0-9a-f]{64}"),
                "programSha256 must be null or 64 hex digits" + ctx);
        String tail = requireText(d, "stderrTail", false, ctx);
        assertTrue(tail.codePointCount(0, tail.length()) <= STDERR_TAIL_MAX,
                "stderrTail holds more than 1 KiB: " + tail.length() + ctx);
        String message = requireText(d, "message", false, ctx);
        assertTrue(message.indexOf('\n') < 0, "message must be one line" + ctx);
        switch (verdict) {
            case "Completed" -> {
                assertEquals(0, exitCode.asInt(-1), "Completed means exit code 0" + ctx);
                assertEquals(null, signal, "Completed has no signal" + ctx);
            }
            case "NonZeroExit" -> {
                assertTrue(exitCode.isInt() && exitCode.asInt() != 0, "NonZeroExit needs a non-zero exitCode" + ctx);
                assertEquals(null, signal, "NonZeroExit has no signal" + ctx);
            }
            case "Signaled" -> {
                assertTrue(exitCode.isNull(), "exitCode is null when a signal ended the program" + ctx);
                assertTrue(signal != null && signal.startsWith("SIG"), "Signaled names its signal" + ctx);
            }
            default -> {
            }
        }
    }

    private static JsonNode require(JsonNode d, String f, String ctx) {
        JsonNode n = d.get(f);
        assertNotNull(n, "the result document lacks field " + f + ctx);
        return n;
    }

    private static String requireText(JsonNode d, String f, boolean nullable, String ctx) {
        JsonNode n = require(d, f, ctx);
        if (n.isNull()) {
            assertTrue(nullable, f + " must not be null" + ctx);
            return null;
        }
        assertTrue(n.isTextual(), f + " must be a string" + ctx);
        return n.asText();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
