package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack suite (programs in native/tests/attack, each says what it attacks and what
 * must happen). Every run happens in a fresh PID namespace, so a broken launcher can hurt
 * nothing outside it, and the namespace's init lists whatever survived the launcher.
 * Every attack must fail and leave nothing behind: no process, no file, no connection,
 * no written descriptor, no secret on stdout.
 */
class AttackTest extends LauncherTestBase {

    /**
     * An attack that must be killed by a filter (SyscallViolation naming one of
     * killedBy; empty: any name) or, when mayRefuse, may instead fail with an errno (the
     * program then completes and says "refused:").
     */
    record Attack(String program, String profile, boolean mayRefuse, String... killedBy) {
        @Override
        public String toString() {
            return program + " (" + profile + ")";
        }
    }

    static final List<Attack> KILLED_OR_REFUSED = List.of(
            new Attack("exec-sh", "compute", false, "execve"),
            new Attack("exec-sh", "threads", false, "execve"),
            new Attack("exec-self", "compute", false, "execve"),
            new Attack("exec-fd", "compute", false, "execveat"),
            new Attack("exec-absolute-path", "compute", false, "execveat"),
            // Queued signals and POSIX timers count against a per-user quota all runs
            // (uid 65534) share: neither may be had, so no run can use it up.
            new Attack("timer-hog", "compute", false, "timer_create"),
            new Attack("timer-hog", "threads", false, "timer_create"),
            new Attack("rt-signal-queue", "compute", false, "tgkill"),
            new Attack("rt-signal-queue", "threads", false, "tgkill"),
            new Attack("exec-absolute-path", "threads", false, "execveat"),
            new Attack("memfd-exec", "compute", false, "memfd_create", "execveat"),
            new Attack("fork", "compute", false, "fork"),
            new Attack("fork", "threads", false, "fork"),
            new Attack("vfork", "compute", false, "vfork"),
            new Attack("clone", "compute", false, "clone"),
            new Attack("clone", "threads", false, "clone"),
            new Attack("fork-bomb", "threads", false, "clone"),
            new Attack("clone-vm-process", "threads", false, "clone"),
            new Attack("x32", "compute", false),
            new Attack("x32", "threads", false),
            new Attack("rwx-syscall", "compute", true, "execve", "mmap", "mprotect"),
            new Attack("io-uring", "compute", false, "io_uring_setup"),
            new Attack("io-uring", "threads", false, "io_uring_setup"),
            new Attack("unshare", "compute", false, "unshare"),
            new Attack("unshare", "threads", false, "unshare"),
            new Attack("setns", "compute", false, "setns"),
            new Attack("mount", "compute", false, "mount"),
            new Attack("chroot", "compute", true, "chdir", "chroot"),
            new Attack("bpf", "compute", false, "bpf"),
            new Attack("perf-event-open", "compute", false, "perf_event_open"),
            new Attack("userfaultfd", "compute", false, "userfaultfd"),
            new Attack("keyctl", "compute", false, "keyctl"),
            new Attack("personality", "compute", true, "personality"),
            new Attack("modify-ldt", "compute", true, "modify_ldt"),
            new Attack("prctl-dumpable", "compute", true, "prctl"),
            new Attack("prctl-seccomp", "compute", false, "prctl", "seccomp", "socket"),
            new Attack("sigsys-catch", "compute", false, "socket"),
            new Attack("ptrace-parent", "compute", false, "ptrace"),
            new Attack("ptrace-parent", "threads", false, "ptrace"),
            new Attack("process-vm-readv", "compute", true, "process_vm_readv"),
            new Attack("pidfd-getfd", "compute", true, "pidfd_open", "pidfd_getfd"),
            new Attack("kill-parent", "compute", true, "kill"),
            new Attack("kill-parent", "threads", true, "kill"),
            new Attack("kill-all", "compute", true, "kill"),
            new Attack("tgkill-parent", "compute", true, "tgkill"),
            new Attack("tgkill-parent", "threads", true, "tgkill"),
            new Attack("sigqueue-parent", "compute", true, "rt_sigqueueinfo"),
            new Attack("strict-open-nolibc", "strict", false, "openat"),
            new Attack("exec-absolute-path-nolibc", "strict", false, "execveat"));

    static Stream<Arguments> killedOrRefused() {
        return Stream.of(Situation.values()).flatMap(s -> KILLED_OR_REFUSED.stream().map(a -> Arguments.of(s, a)));
    }

    /** The common judgement: launcher reported (exit 0, valid document, nothing survived), no BREACH. */
    static Run judge(Run r, boolean mayRefuse, String... killedBy) {
        r.reported();
        assertFalse(r.stdoutText().contains("BREACH"), "the attack succeeded" + r.describe());
        assertFalse(r.text("stderrTail").contains("BREACH"), "the attack succeeded" + r.describe());
        String v = r.verdict();
        if (v.equals("SyscallViolation")) {
            if (killedBy.length > 0) {
                assertTrue(Arrays.asList(killedBy).contains(r.syscall()),
                        "killed for " + r.syscall() + ", expected " + Arrays.toString(killedBy) + r.describe());
            }
        } else if (mayRefuse) {
            assertEquals("Completed", v, "killed, or refused with an errno and completed" + r.describe());
            assertTrue(r.stdoutText().contains("refused:"), "the program reports its refusal" + r.describe());
        } else {
            fail("expected SyscallViolation " + Arrays.toString(killedBy) + ", got " + v + r.describe());
        }
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("killedOrRefused")
    void attackFails(Situation s, Attack a) {
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=" + a.profile(), "--cpu-ms=2000")
                .program(Launcher.attack(a.program())).run();
        judge(r, a.mayRefuse(), a.killedBy());
    }

    // ---------------------------------------------------------------- int 0x80

    /** Whether this kernel serves int 0x80 at all (some VMs turn the 32-bit ABI off). */
    static boolean int80Works() {
        try {
            Process p = new ProcessBuilder(Launcher.attack("int80").toString())
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor();
            return new String(out, StandardCharsets.UTF_8).contains("BREACH: int 0x80 write");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Stream<Arguments> profilesBySituation() {
        return Stream.of(Situation.values()).flatMap(s -> Stream.of(Arguments.of(s, "compute"),
                Arguments.of(s, "threads")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("profilesBySituation")
    void int80IsKilled(Situation s, String profile) {
        Assumptions.assumeTrue(int80Works(), "this kernel does not serve int 0x80 (without any sandbox the "
                + "attack program dies of SIGSEGV): the 32-bit ABI cannot be attacked here");
        judge(Launcher.in(s).inPidNamespace().opt("--profile=" + profile).program(Launcher.attack("int80")).run(),
                false);
    }

    // ---------------------------------------------------------------- clone3

    static Stream<Arguments> clone3Cases() {
        return Stream.of(Situation.values()).flatMap(s -> Stream.of(
                Arguments.of(s, "compute", "process"), Arguments.of(s, "threads", "process"),
                Arguments.of(s, "threads", "thread")));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("clone3Cases")
    void clone3FailsWithEnosys(Situation s, String profile, String kind) {
        Launcher.in(s).inPidNamespace().opt("--profile=" + profile).program(Launcher.attack("clone3"), kind).run()
                .completedWith("clone3: ENOSYS\n");
    }

    // ---------------------------------------------------------------- other processes

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("profilesBySituation")
    void noPidEnumerationThroughSchedGetaffinity(Situation s, String profile) {
        // sched_getaffinity answers for any existing pid: only pid 0 (itself) may be asked
        Launcher.in(s).inPidNamespace().opt("--profile=" + profile)
                .program(Launcher.attack("sched-getaffinity-scan")).run()
                .completedWith("pid 0: ok\nown pid: EPERM\nparent: EPERM\npid 1: EPERM\n"
                        + "pids 1-4096: 0 answered, 4096 EPERM\n");
    }

    // ---------------------------------------------------------------- network

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aViolationWithdrawnByASignalIsStillAViolation(Situation s) throws Exception {
        // the supervisor is held still (SIGSTOP) while the program's denied call waits for it,
        // and the program's own alarm withdraws the call: the gap in the notification ids
        // must still end the run as a violation, not as Completed
        Path prog = Launcher.attack("dodge-violation");
        Launcher.Started started = Launcher.in(s).opt("--wall-ms=20000").program(prog).start();
        assertTrue(Launcher.waitUntil(() -> Launcher.isRunning(prog), 5000), "the program never started");
        started.signal("STOP");
        Thread.sleep(2500);
        started.signal("CONT");
        Run r = started.finish();
        assertEquals("SyscallViolation", r.verdict(), r.describe());
        r.assertNoSurvivors();
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void noConnectionToLocalhost(Situation s) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Run r = Launcher.in(s).inPidNamespace()
                    .program(Launcher.attack("socket-connect"), String.valueOf(server.getLocalPort())).run();
            judge(r, false, "socket");
            server.setSoTimeout(300);
            try (Socket c = server.accept()) {
                fail("the listener received a connection from " + c.getRemoteSocketAddress() + r.describe());
            } catch (SocketTimeoutException expected) {
                // no connection: good
            }
        }
    }

    // ---------------------------------------------------------------- files

    static Stream<Arguments> createAttacks() {
        Object[][] a = {
            {"open-write", false, new String[] {"openat"}},
            {"open-legacy", false, new String[] {"open"}},
            {"creat", false, new String[] {"creat"}},
            {"openat2-create", true, new String[] {"openat2"}},
            {"open-rdonly-creat", true, new String[] {"openat"}},
            {"mkdir", true, new String[] {"mkdir", "mkdirat"}},
        };
        return Stream.of(Situation.values()).flatMap(s -> Arrays.stream(a).map(x -> Arguments.of(s, x[0], x[1], x[2])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("createAttacks")
    void noFileIsCreated(Situation s, String program, boolean mayRefuse, String[] killedBy) {
        Path target = Launcher.workPath("created-by-" + program); // in a world-writable folder
        Run r = Launcher.in(s).inPidNamespace().program(Launcher.attack(program), target.toString()).run();
        boolean exists = Files.exists(target);
        Launcher.deleteTree(target);
        assertFalse(exists, "the attack created " + target + r.describe());
        judge(r, mayRefuse, killedBy);
    }

    static Stream<Arguments> modifyAttacks() {
        Object[][] a = {
            {"open-rdwr", false, new String[] {"openat"}},
            {"open-trunc", true, new String[] {"openat"}},
            {"unlink", true, new String[] {"unlink", "unlinkat"}},
            {"truncate", true, new String[] {"truncate"}},
        };
        return Stream.of(Situation.values()).flatMap(s -> Arrays.stream(a).map(x -> Arguments.of(s, x[0], x[1], x[2])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modifyAttacks")
    void noFileIsModified(Situation s, String program, boolean mayRefuse, String[] killedBy) throws IOException {
        byte[] precious = ("precious " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
        Path target = Launcher.workFile("precious", precious, "rw-rw-rw-"); // world-writable
        Run r = Launcher.in(s).inPidNamespace().program(Launcher.attack(program), target.toString()).run();
        assertTrue(Files.exists(target), "the attack removed " + target + r.describe());
        assertArrayEquals(precious, Files.readAllBytes(target), "the attack changed " + target + r.describe());
        judge(r, mayRefuse, killedBy);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void noFileIsRead(Situation s) {
        String secret = "TOP-SECRET-" + UUID.randomUUID();
        Path file = Launcher.workFile("secret", (secret + "\n").getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Run r = Launcher.in(s).inPidNamespace().program(Launcher.attack("read-secret"), file.toString()).run();
        judge(r, true, "open", "openat", "openat2");
        for (String leak : List.of(secret, "root:x:0:0")) {
            assertFalse(r.stdoutText().contains(leak), "file content on stdout" + r.describe());
            assertFalse(r.text("stderrTail").contains(leak), "file content in stderrTail" + r.describe());
        }
    }

    // ---------------------------------------------------------------- environment and descriptors

    @ParameterizedTest
    @EnumSource(Situation.class)
    void environmentIsEmpty(Situation s) {
        String secret = "ENV-SECRET-" + UUID.randomUUID();
        Run r = Launcher.in(s).inPidNamespace().env("SECRET", secret).env("SANDBOXRUN_TOKEN", secret)
                .program(Launcher.attack("env-leak")).run();
        judge(r, true, "open", "openat");
        assertTrue(r.stdoutText().startsWith("environ entries: 0\n"), "the environment is empty" + r.describe());
        assertFalse(r.stdoutText().contains(secret), "the launcher's environment leaked" + r.describe());
        assertFalse(r.text("stderrTail").contains(secret), "the launcher's environment leaked" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void onlyDescriptorsZeroToTwo(Situation s) throws IOException {
        Path file = Launcher.workFile("fd-target", new byte[0], "rw-rw-rw-");
        Run r = Launcher.in(s).extraFds(file).program(Launcher.attack("fd-leak")).run()
                .completedWith("fds 0-2: ok\nopen fds: none\n");
        assertEquals(0, Files.size(file), "something was written through a leaked descriptor" + r.describe());
    }

    // ---------------------------------------------------------------- limits under attack

    @ParameterizedTest
    @EnumSource(Situation.class)
    void raisedRlimitsDoNotLiftTheCpuLimit(Situation s) {
        // setrlimit is allowed (within the hard limits, which the launcher set): raising a
        // hard limit fails with EPERM, and the CPU limit still ends the run
        Run r = Launcher.in(s).inPidNamespace().opt("--cpu-ms=300", "--wall-ms=5000")
                .program(Launcher.attack("setrlimit-raise")).run().verdict("CpuTimeLimitExceeded");
        String out = r.stdoutText();
        assertFalse(out.contains("raised 0\n"), "RLIMIT_CPU was raised" + r.describe());
        for (int res : new int[] {0, 1, 4, 7}) { // CPU, FSIZE, CORE, NOFILE: the launcher set them
            assertTrue(out.contains("refused: setrlimit " + res + " EPERM\n"),
                    "raising limit " + res + " past its hard limit fails with EPERM" + r.describe());
        }
        assertTrue(r.num("cpuMs") <= 600, "the CPU limit still holds" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void ignoringSigxcpuDoesNotLiftTheCpuLimit(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--cpu-ms=300", "--wall-ms=20000")
                .program(Launcher.attack("ignore-xcpu")).run().verdict("CpuTimeLimitExceeded");
        assertTrue(r.num("cpuMs") >= 300 && r.num("cpuMs") <= 600, "cpuMs in [300, 600]" + r.describe());
        assertTrue(r.num("wallMs") < 10_000, "ended by the CPU limit, long before the wall limit" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void ignoringSignalsDoesNotLiftTheWallLimit(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--wall-ms=400")
                .program(Launcher.attack("ignore-signals-sleep")).run().verdict("WallTimeLimitExceeded");
        assertTrue(r.num("wallMs") >= 400 && r.num("wallMs") < 2500, "wallMs in [400, 2500)" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void cpuTimeCountsAllThreads(Situation s) {
        // CPU time of the main thread alone would let the run go on to the wall limit
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=threads", "--cpu-ms=400", "--wall-ms=20000")
                .program(Launcher.attack("thread-burner")).run().verdict("CpuTimeLimitExceeded");
        long cpu = r.num("cpuMs");
        assertTrue(cpu >= 400 && cpu <= 800, "cpuMs " + cpu + " should be in [400, 800]" + r.describe());
        assertTrue(r.num("wallMs") < 10_000, "5 busy threads use 400 ms of CPU long before the wall limit"
                + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void manySpinningThreadsEndInCpuTimeLimitExceededNotSigxcpu(Situation s) {
        // 8 threads on this machine's few CPUs: RLIMIT_CPU, sampled by the kernel, is only the
        // backstop; it must never end the run first and turn up as Signaled SIGXCPU. Three
        // runs, as it is a race.
        for (int i = 0; i < 3; i++) {
            Run r = Launcher.in(s).inPidNamespace().opt("--profile=threads", "--cpu-ms=1000", "--wall-ms=10000")
                    .program(Launcher.attack("thread-burner"), "8").run().verdict("CpuTimeLimitExceeded");
            long cpu = r.num("cpuMs");
            assertTrue(cpu >= 1000 && cpu <= 1500, "cpuMs " + cpu + " should be in [1000, 1500]" + r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void theCpuBackstopIsReportedAsCpuTimeLimitExceeded(Situation s) throws Exception {
        // the supervisor held up (here: the launcher stopped) while 8 threads spin: RLIMIT_CPU's
        // SIGXCPU ends the program, and that is the CPU limit too, never Signaled SIGXCPU
        Path prog = Launcher.attack("thread-burner");
        Launcher.Started started = Launcher.in(s).opt("--profile=threads", "--cpu-ms=1000", "--wall-ms=20000")
                .program(prog, "8").start();
        try {
            assertTrue(Launcher.waitUntil(() -> Launcher.isRunning(prog), 5000), "the program never started");
            started.signal("STOP");
            // its hard limit is a few CPU seconds: on a busy machine 8 threads take a while
            assertTrue(Launcher.waitUntil(() -> !Launcher.isRunning(prog), 30_000),
                    "RLIMIT_CPU did not end the program");
        } finally {
            started.signal("CONT");
        }
        Run r = started.finish().verdict("CpuTimeLimitExceeded");
        assertEquals("SIGXCPU", r.text("signal"), "the backstop ended the run, not the supervisor" + r.describe());
        assertTrue(r.num("cpuMs") >= 1000, r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void threadsAreCappedAt256(Situation s) {
        // 5000 sleeping threads asked for. With a cgroup its pids.max refuses the 257th task
        // (EAGAIN); without one the supervisor counts threads and kills the program while it
        // is still creating them.
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=threads", "--wall-ms=10000")
                .program(Launcher.attack("thread-cap"), "5000", "300").run().reported();
        String out = r.stdoutText();
        assertFalse(out.contains("created 5000 threads"), "5000 threads were alive" + r.describe());
        if (s == Situation.ROOT_WITH_CGROUP) {
            assertEquals("Completed", r.verdict(), "clone fails, the program goes on" + r.describe());
            Matcher m = Pattern.compile("\\Aclone failed: -11\ncreated (\\d+) threads\n\\z").matcher(out);
            assertTrue(m.matches(), "clone must fail with EAGAIN (-11), then the count" + r.describe());
            long created = Long.parseLong(m.group(1));
            assertTrue(created <= 255, created + " threads created besides the first: more than 256 alive"
                    + r.describe());
        } else {
            r.syscallViolation("clone");
            assertTrue(r.text("message").contains("threads"), "the message says why: threads" + r.describe());
            assertFalse(out.contains("created"), "killed while it was still creating threads" + r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void memoryIsFollowedWhenTheFirstThreadHasExited(Situation s) {
        // the first thread leaves with SYS_exit (its status shows no memory), a worker touches
        // 150 MiB under 64 MiB and would hold it 2 s
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=threads", "--memory=64M", "--wall-ms=10000")
                .program(Launcher.attack("leader-exit-memory"), "150").run().verdict("MemoryLimitExceeded");
        assertFalse(r.stdoutText().contains("touched"), "150 MiB touched under a 64 MiB limit" + r.describe());
        assertTrue(r.num("wallMs") < 2000, "killed while touching, before its 2 s hold ends" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void sharedMemoryCountsAgainstTheLimit(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--memory=64M")
                .program(Launcher.attack("memory-shared"), "160").run().verdict("MemoryLimitExceeded");
        assertFalse(r.stdoutText().contains("OK"), "160 MiB touched under a 64 MiB limit" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aStoppedProgramIsStillTimedOut(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--wall-ms=400").program(Launcher.attack("stop-self")).run()
                .reported();
        if (r.verdict().equals("SyscallViolation")) {
            assertEquals("tgkill", r.syscall(), r.describe());
        } else {
            assertEquals("WallTimeLimitExceeded", r.verdict(), r.describe());
            assertTrue(r.num("wallMs") >= 400 && r.num("wallMs") < 2500, "wallMs in [400, 2500)" + r.describe());
        }
        assertFalse(r.stdoutText().contains("resumed"), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void theProgramDiesWithTheLauncher(Situation s) {
        // SIGKILL the launcher mid-run: its program must be gone within a second, and the
        // cgroup the killed launcher could not remove must be removed by the next run
        Path prog = Launcher.legit("sleep");
        Launcher.Started started = Launcher.in(s).opt("--wall-ms=20000").program(prog, "forever").start();
        assertTrue(Launcher.waitUntil(() -> Launcher.isRunning(prog), 5000), "the program never started");
        Set<Path> runCgroups = started.cgroups();
        if (s == Situation.ROOT_WITH_CGROUP) {
            assertFalse(runCgroups.isEmpty(), "the run has a sandboxrun-* cgroup beneath the launcher's own");
        }
        started.signal("KILL");
        Run killed = started.finish();
        boolean gone = Launcher.waitUntil(() -> !Launcher.isRunning(prog), 1000);
        List<String> left = Launcher.ourStagedProcesses();
        for (String l : left) {
            ProcessHandle.of(Long.parseLong(l.split(" ")[0])).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertTrue(gone, "the program outlived its launcher by more than a second: " + left + killed.describe());
        for (Path cg : runCgroups) {
            assertTrue(Files.isDirectory(cg), "a killed launcher cannot remove its cgroup " + cg);
        }
        // the next run removes it (before its own work, so right after it, not eventually)
        Launcher.in(s).program(Launcher.legit("hello")).run().verdict("Completed");
        for (Path cg : runCgroups) {
            assertFalse(Files.exists(cg), "the next run did not remove the killed launcher's cgroup " + cg);
        }
    }
}
