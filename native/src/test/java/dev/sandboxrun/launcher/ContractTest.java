package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Invocation;
import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line and the exit status: 64 for bad input (nothing run), 70 for a launcher failure. */
class ContractTest extends LauncherTestBase {

    static Stream<Arguments> situationsAndResultModes() {
        return Stream.of(Situation.values()).flatMap(s -> Stream.of(Arguments.of(s, true), Arguments.of(s, false)));
    }

    private static Invocation inv(Situation s, boolean resultFile) {
        Invocation i = Launcher.in(s);
        return resultFile ? i : i.resultOnStderr();
    }

    private static Path executable(String prefix, byte[] content) {
        return Launcher.workFile(prefix, content, "rwxr-xr-x");
    }

    private static byte[] helloBytes() {
        try {
            return Files.readAllBytes(Launcher.legit("hello"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- options

    @ParameterizedTest
    @EnumSource(Situation.class)
    void noProgramIsAUsageError(Situation s) {
        Launcher.in(s).resultOnStderr().run().usageError().launchErrorReported();
        Launcher.in(s).resultOnStderr().opt("--cpu-ms=100").run().usageError().launchErrorReported();
    }

    static Stream<Arguments> malformedOptions() {
        String[] bad = {"--bogus", "--profile=nope", "--profile=", "--memory=abc", "--memory=12Q",
            "--memory=-5", "--memory=", "--memory=0", "--memory=1.5M", "--memory=99999999999999999999999",
            "--memory=17179869184G", "--cpu-ms=abc", "--cpu-ms=-1", "--cpu-ms=0", "--cpu-ms=",
            "--cpu-ms=18446744073709551617", "--wall-ms=1.5", "--wall-ms=0", "--wall-ms=x",
            "--stdout-max=1X", "--stdout-max=-1", "--stdout-max=", "--cpu-ms", "--memory 64M"};
        return Stream.of(Situation.values()).flatMap(s -> Arrays.stream(bad).map(o -> Arguments.of(s, o)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("malformedOptions")
    void malformedOptionWithoutResultFile(Situation s, String option) {
        Launcher.in(s).resultOnStderr().opt(option).program(Launcher.legit("hello")).run()
                .usageError().launchErrorReported();
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void malformedOptionWithResultFile(Situation s) {
        // --result is given (first), so: nothing on stderr ("when --result names a file,
        // nothing at all to stderr"), a LaunchError document instead. One test for all options.
        List<Executable> checks = new ArrayList<>();
        malformedOptions().filter(a -> a.get()[0] == s).forEach(a -> {
            String option = (String) a.get()[1];
            Run r = Launcher.in(s).opt(option).program(Launcher.legit("hello")).run();
            checks.add(() -> r.usageError().launchErrorReported());
        });
        assertAll(checks);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void wellFormedOptionsAreAccepted(Situation s) {
        Launcher.in(s).opt("--profile=compute", "--cpu-ms=2000", "--wall-ms=3000", "--memory=128M",
                "--stdout-max=2K").program(Launcher.legit("hello")).run()
                .completedWith("Hello from C (glibc, static)\n");
        Launcher.in(s).opt("--stdin=/dev/null", "--memory=1G", "--stdout-max=1M")
                .program(Launcher.legit("hello")).run().completedWith("Hello from C (glibc, static)\n");
    }

    // ---------------------------------------------------------------- unusable program

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void missingProgram(Situation s, boolean resultFile) {
        inv(s, resultFile).program(Launcher.workPath("no-such-program")).run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void unreadableProgram(Situation s, boolean resultFile) {
        Assumptions.assumeTrue(s == Situation.UNPRIVILEGED_NO_CGROUP,
                "root reads any file: unreadable only means something to uid 65534");
        Path p = Launcher.workFile("unreadable", helloBytes(), "--x--x--x");
        inv(s, resultFile).program(p).run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void directoryAsProgram(Situation s, boolean resultFile) {
        inv(s, resultFile).program(Launcher.staging().resolve("legit")).run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void shellScriptIsNotAnElf(Situation s, boolean resultFile) {
        // executing it would exec /bin/sh: a second program
        Path p = executable("script", "#!/bin/sh\necho BREACH: a script ran\n".getBytes(StandardCharsets.UTF_8));
        inv(s, resultFile).program(p).run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void emptyAndTruncatedFilesAreNotPrograms(Situation s, boolean resultFile) {
        inv(s, resultFile).program(executable("empty", new byte[0])).run().usageError().launchErrorReported();
        inv(s, resultFile).program(executable("truncated", Arrays.copyOf(helloBytes(), 40))).run()
                .usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void dynamicallyLinkedElfAsksForStaticLinking(Situation s, boolean resultFile) {
        Path dynamic = Path.of("/bin/true");
        Assumptions.assumeTrue(Files.isRegularFile(dynamic), "needs /bin/true (a dynamically linked ELF)");
        Path p;
        try {
            p = executable("dynamic", Files.readAllBytes(dynamic));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inv(s, resultFile).program(p).run().usageError().launchErrorReported("static");
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void foreignArchitectureElf(Situation s, boolean resultFile) {
        byte[] b = helloBytes();
        b[18] = (byte) 183; // e_machine = EM_AARCH64
        b[19] = 0;
        inv(s, resultFile).program(executable("aarch64", b)).run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void i386ElfIsRefused(Situation s, boolean resultFile) {
        // a 32-bit x86 static ELF would run in compat mode, with the i386 system call table
        inv(s, resultFile).program(executable("i386", i386Elf())).run().usageError().launchErrorReported();
    }

    /** A minimal static i386 ELF: write(1, "BREACH: i386 ran\n") then exit(0), via int 0x80. */
    static byte[] i386Elf() {
        byte[] msg = "BREACH: i386 ran\n".getBytes(StandardCharsets.US_ASCII);
        byte[] code = {
            (byte) 0xb8, 4, 0, 0, 0,                       // mov $4,%eax (write)
            (byte) 0xbb, 1, 0, 0, 0,                       // mov $1,%ebx
            (byte) 0xb9, 0x74, (byte) 0x80, 0x04, 0x08,    // mov $0x08048074,%ecx (msg)
            (byte) 0xba, (byte) msg.length, 0, 0, 0,       // mov $len,%edx
            (byte) 0xcd, (byte) 0x80,                      // int $0x80
            (byte) 0xb8, 1, 0, 0, 0,                       // mov $1,%eax (exit)
            (byte) 0x31, (byte) 0xdb,                      // xor %ebx,%ebx
            (byte) 0xcd, (byte) 0x80,                      // int $0x80
        };
        int codeOff = 52 + 32;
        int msgOff = codeOff + code.length;
        // patch msg address: 0x08048000 + msgOff
        int msgAddr = 0x08048000 + msgOff;
        code[11] = (byte) msgAddr;
        code[12] = (byte) (msgAddr >> 8);
        code[13] = (byte) (msgAddr >> 16);
        code[14] = (byte) (msgAddr >> 24);
        int size = msgOff + msg.length;
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        bb.putShort((short) 2).putShort((short) 3).putInt(1);       // ET_EXEC, EM_386, version
        bb.putInt(0x08048000 + codeOff).putInt(52).putInt(0);        // entry, phoff, shoff
        bb.putInt(0).putShort((short) 52).putShort((short) 32).putShort((short) 1);
        bb.putShort((short) 0).putShort((short) 0).putShort((short) 0);
        bb.putInt(1).putInt(0).putInt(0x08048000).putInt(0x08048000); // PT_LOAD
        bb.putInt(size).putInt(size).putInt(5).putInt(0x1000);
        bb.put(code).put(msg);
        return bb.array();
    }

    // ---------------------------------------------------------------- unusable stdin

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void missingStdinFile(Situation s, boolean resultFile) {
        inv(s, resultFile).opt("--stdin=" + Launcher.workPath("no-such-stdin")).program(Launcher.legit("hello"))
                .run().usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void unreadableStdinFile(Situation s, boolean resultFile) {
        Assumptions.assumeTrue(s == Situation.UNPRIVILEGED_NO_CGROUP,
                "root reads any file: unreadable only means something to uid 65534");
        Path in = Launcher.workFile("secret-stdin", "x\n".getBytes(StandardCharsets.UTF_8), "---------");
        inv(s, resultFile).opt("--stdin=" + in).program(Launcher.legit("hello")).run()
                .usageError().launchErrorReported();
    }

    @ParameterizedTest(name = "{0} result file: {1}")
    @MethodSource("situationsAndResultModes")
    void directoryAsStdin(Situation s, boolean resultFile) {
        inv(s, resultFile).opt("--stdin=" + Launcher.staging()).program(Launcher.legit("hello")).run()
                .usageError().launchErrorReported();
    }

    // ---------------------------------------------------------------- 70: the launcher failed

    @ParameterizedTest
    @EnumSource(Situation.class)
    void launcherThatCannotForkExitsSeventy(Situation s) {
        Assumptions.assumeTrue(s == Situation.UNPRIVILEGED_NO_CGROUP,
                "RLIMIT_NPROC does not bind root: a failing fork can only be provoked for uid 65534");
        Assumptions.assumeTrue(Launcher.onPath("prlimit"), "needs prlimit (util-linux)");
        Run r = Launcher.in(s).wrap("prlimit", "--nproc=0", "--").program(Launcher.legit("hello")).run();
        assertEquals(70, r.status, "exit status when the launcher cannot fork" + r.describe());
        assertEquals(0, r.stdout.length, r.describe());
        assertEquals(0, r.stderr.length, "nothing on stderr with --result" + r.describe());
        Launcher.validateDocument(r);
        assertEquals("LaunchError", r.verdict(), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void sigtermMidRunStopsTheProgramAndExitsSeventy(Situation s) {
        // a termination request (a pod being deleted): the program is stopped first, then the
        // launcher reports LaunchError and exits 70; nothing of the run is left
        Path prog = Launcher.legit("sleep");
        Launcher.Started started = Launcher.in(s).opt("--wall-ms=20000").program(prog, "forever").start();
        assertTrue(Launcher.waitUntil(() -> Launcher.isRunning(prog), 5000), "the program never started");
        Set<Path> runCgroups = started.cgroups();
        long t0 = System.nanoTime();
        started.signal("TERM");
        Run r = started.finish();
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(70, r.status, "exit status after SIGTERM" + r.describe());
        assertTrue(stopMs < 2000, "the launcher took " + stopMs + " ms to stop" + r.describe());
        assertEquals(0, r.stderr.length, "nothing on stderr with --result" + r.describe());
        Launcher.validateDocument(r);
        assertEquals("LaunchError", r.verdict(), r.describe());
        assertEquals(r.stdout.length, r.num("stdoutBytes"), "stdoutBytes vs bytes received" + r.describe());
        assertEquals(Launcher.sha256(r.stdout), r.text("stdoutSha256"), r.describe());
        r.assertNoSurvivors();
        Set<Path> left = new TreeSet<>(runCgroups);
        left.removeIf(c -> !Files.exists(c));
        assertTrue(left.isEmpty(), "cgroups left when the launcher exited: " + left + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void unwritableResultFileIsNotSilent(Situation s) {
        Run r = Launcher.in(s).resultOnStderr().opt("--result=/nonexistent-dir/result.json")
                .program(Launcher.legit("hello")).run();
        assertTrue(r.status == 64 || r.status == 70, "exit status " + r.status + r.describe());
        assertFalse(Files.exists(Path.of("/nonexistent-dir")), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void nonExecutableProgramDoesNotRun(Situation s) {
        Path p = Launcher.workFile("not-executable", helloBytes(), "rw-r--r--");
        Run r = Launcher.in(s).program(p).run();
        assertTrue(r.status == 64 || r.status == 70, "exit status " + r.status + r.describe());
        r.notRun();
        Launcher.validateDocument(r);
        assertEquals("LaunchError", r.verdict(), r.describe());
    }
}
