package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sandboxrun.launcher.Launcher.Situation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Well-behaved programs in every language we promise: exact output, Completed. */
class LegitProgramsTest extends LauncherTestBase {

    @ParameterizedTest
    @EnumSource(Situation.class)
    void staticGlibcC(Situation s) {
        Launcher.in(s).program(Launcher.legit("hello")).run()
                .completedWith("Hello from C (glibc, static)\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void cppWithExceptionsAndIostream(Situation s) {
        Launcher.in(s).program(Launcher.legit("hello-cpp")).run()
                .completedWith("caught: boom 42\na=1\nb=2\nc=3\nsorted: 1 3 5 9\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void staticRust(Situation s) {
        Launcher.in(s).program(Launcher.legit("hello-rust")).run()
                .completedWith("brown 1\ndog 1\nend 1\nfox 1\njumps 1\nlazy 1\nover 1\nquick 1\nthe 3\n"
                        + "sum of squares: 385\njoined: 1-4-9\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void staticMusl(Situation s) {
        Launcher.in(s).program(Launcher.legit("hello-musl")).run()
                .completedWith("Hello from musl: 6 * 7 = 42\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void pthreadsUnderThreadsProfile(Situation s) {
        Launcher.in(s).opt("--profile=threads").program(Launcher.legit("threads-sum")).run()
                .completedWith("thread 0: 3124998750000\nthread 1: 9374998750000\n"
                        + "thread 2: 15624998750000\nthread 3: 21874998750000\ntotal: 49999995000000\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void threadsAreNotAllowedUnderCompute(Situation s) {
        // compute is for one-threaded programs: pthread_create's clone (clone3 gives ENOSYS) is killed
        Launcher.in(s).program(Launcher.legit("threads-sum")).run().syscallViolation("clone");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void ordinaryProgramsRunUnderThreadsToo(Situation s) {
        Launcher.in(s).opt("--profile=threads").program(Launcher.legit("hello-rust")).run()
                .verdict("Completed");
        Launcher.in(s).opt("--profile=threads").program(Launcher.legit("hello-cpp")).run()
                .verdict("Completed");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void freestandingUnderStrictLeavingWithExit(Situation s) {
        Path in = Launcher.workFile("stdin", "four words of input\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Launcher.in(s).opt("--profile=strict", "--stdin=" + in).program(Launcher.legit("strict-echo-nolibc")).run()
                .completedWith("strict: four words of input\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void freestandingUnderStrictLeavingWithExitGroup(Situation s) {
        // the contract lists exit_group among strict's calls
        Launcher.in(s).opt("--profile=strict").program(Launcher.legit("strict-echo-nolibc"), "group").run()
                .completedWith("strict: ");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void glibcStartUpIsKilledUnderStrict(Situation s) {
        Launcher.in(s).opt("--profile=strict").program(Launcher.legit("hello")).run()
                .syscallViolation().stdout("");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void argvAsGiven(Situation s) {
        // argv[0] exactly as PROGRAM was written (relative here), then the ARGs untouched
        Launcher.in(s).program("./legit/args", "two words", "", "--cpu-ms=oops", "ünï €").run()
                .completedWith("argv[0]=./legit/args\nargv[1]=two words\nargv[2]=\n"
                        + "argv[3]=--cpu-ms=oops\nargv[4]=ünï €\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void optionsAfterProgramBelongToTheProgram(Situation s) {
        Launcher.in(s).noDashDash().program(Launcher.legit("args"), "--memory=1", "--").run()
                .completedWith("argv[0]=" + Launcher.legit("args") + "\nargv[1]=--memory=1\nargv[2]=--\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void binaryStdinIsPassedByteForByte(Situation s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 300_000; i++) {
            b.write((i * 31 + (i >> 8)) & 0xff);
        }
        byte[] data = b.toByteArray();
        Path in = Launcher.workFile("stdin", data, "rw-r--r--");
        Launcher.Run r = Launcher.in(s).opt("--stdin=" + in).program(Launcher.legit("stdin-echo")).run()
                .verdict("Completed");
        assertArrayEquals(data, r.stdout, "stdout must be stdin, byte for byte" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stdinIsEmptyWithoutStdinOptionEvenIfTheLauncherHasOne(Situation s) {
        Launcher.in(s).launcherStdin("the launcher's own stdin must not reach the program\n"
                        .getBytes(StandardCharsets.UTF_8))
                .program(Launcher.legit("stdin-echo")).run()
                .completedWith("");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void sortLines(Situation s) {
        Path in = Launcher.workFile("stdin", "pear\napple\nfig\nbanana\n".getBytes(StandardCharsets.UTF_8),
                "rw-r--r--");
        Launcher.in(s).opt("--stdin=" + in).program(Launcher.legit("sort-lines")).run()
                .completedWith("apple\nbanana\nfig\npear\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void unprivilegedIdentityAndOwnSession(Situation s) {
        Launcher.in(s).program(Launcher.legit("ids")).run()
                .completedWith("uid=65534 euid=65534 gid=65534 egid=65534 groups=0\nsession leader: yes\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void exitCodes(Situation s) {
        Launcher.in(s).program(Launcher.legit("exit-code"), "0").run().completedWith("exiting 0\n");
        for (int code : new int[] {1, 3, 255}) {
            Launcher.Run r = Launcher.in(s).program(Launcher.legit("exit-code"), String.valueOf(code)).run()
                    .verdict("NonZeroExit").stdout("exiting " + code + "\n");
            org.junit.jupiter.api.Assertions.assertEquals(code, r.num("exitCode"), r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void signals(Situation s) {
        String[][] cases = {{"abort", "SIGABRT"}, {"segv", "SIGSEGV"}, {"fpe", "SIGFPE"}};
        for (String[] c : cases) {
            Launcher.Run r = Launcher.in(s).program(Launcher.legit("raise-signal"), c[0]).run()
                    .verdict("Signaled").stdout("raising\n");
            org.junit.jupiter.api.Assertions.assertEquals(c[1], r.text("signal"), r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void sigsysRaisedByTheProgramItselfIsSignaled(Situation s) {
        // the signal a seccomp kill sends, but raised by the program: no call was denied
        for (String profile : new String[] {"compute", "threads"}) {
            Launcher.Run r = Launcher.in(s).opt("--profile=" + profile).program(Launcher.legit("raise-signal"), "sys")
                    .run().verdict("Signaled").stdout("raising\n");
            org.junit.jupiter.api.Assertions.assertEquals("SIGSYS", r.text("signal"), r.describe());
            org.junit.jupiter.api.Assertions.assertEquals(null, r.syscall(), r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void sigxcpuRaisedByTheProgramItselfIsSignaled(Situation s) {
        // RLIMIT_CPU's signal, but raised at once by the program: no CPU limit was reached
        Launcher.Run r = Launcher.in(s).opt("--cpu-ms=5000").program(Launcher.legit("raise-signal"), "xcpu").run()
                .verdict("Signaled").stdout("raising\n");
        org.junit.jupiter.api.Assertions.assertEquals("SIGXCPU", r.text("signal"), r.describe());
    }
}
