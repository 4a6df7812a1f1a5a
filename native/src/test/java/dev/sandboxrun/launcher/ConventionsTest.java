package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Judges' conventions (issue 8, section 3): stack, rlimits, the violation's hint, the memory minimum. */
class ConventionsTest extends LauncherTestBase {

    // ---------------------------------------------------------------- the stack is the memory limit

    static Stream<Arguments> callerStackLimits() {
        // the soft limit a login shell usually has, and none at all (a caller's hard limit
        // is its own business: only the soft one is lowered here)
        return Stream.of(Situation.values()).flatMap(s -> Stream.of(
                Arguments.of(s, "ulimit -S -s 8192"), Arguments.of(s, "ulimit -s unlimited")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("callerStackLimits")
    void aDeepRecursionDoesNotDependOnTheCallersStackLimit(Situation s, String ulimit) {
        // 200,000 frames of 256 bytes: about 51 MB of stack, within --memory=256M
        Run r = Launcher.in(s).wrap("sh", "-c", ulimit + " && exec \"$@\"", "sh").opt("--memory=256M")
                .program(Launcher.legit("deep-recursion"), "200000").run().verdict("Completed");
        assertTrue(r.stdoutText().startsWith("depth 200000 sum "), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void theStackDoesNotGrowPastTheMemoryLimit(Situation s) {
        Run r = Launcher.in(s).wrap("sh", "-c", "ulimit -s unlimited && exec \"$@\"", "sh").opt("--memory=32M")
                .program(Launcher.legit("deep-recursion"), "200000").run().reported();
        assertNotEquals("Completed", r.verdict(), "51 MB of stack under a 32 MiB limit" + r.describe());
    }

    // ---------------------------------------------------------------- rlimits within the hard limits

    @ParameterizedTest
    @EnumSource(Situation.class)
    void limitsMayChangeWithinTheHardLimits(Situation s) {
        // setrlimit(RLIMIT_STACK, {hard, hard}) and prlimit64(0, RLIMIT_CPU, a lower soft one)
        Launcher.in(s).inPidNamespace().program(Launcher.legit("rlimit-within"), "within").run()
                .completedWith("stack: ok\ncpu: ok\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void raisingAHardLimitFailsWithEperm(Situation s) {
        Launcher.in(s).inPidNamespace().program(Launcher.legit("rlimit-within"), "raise-hard").run()
                .completedWith("raise hard: EPERM\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void anotherProcesssLimitsAreOutOfReach(Situation s) {
        Launcher.in(s).inPidNamespace().program(Launcher.legit("rlimit-within"), "other-pid").run()
                .syscallViolation("prlimit64");
    }

    // ---------------------------------------------------------------- the violation's hint

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aThreadUnderComputeIsToldAboutProfileThreads(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=compute").program(Launcher.attack("pthread-create"))
                .run().syscallViolation("clone");
        assertTrue(r.text("message").contains("threads"), "the message names profile threads" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aProcessUnderComputeIsNotToldAboutThreads(Situation s) {
        // fork() is clone without CLONE_VM: no profile allows it
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=compute").program(Launcher.attack("fork"))
                .run().syscallViolation("clone", "fork");
        assertFalse(r.text("message").contains("threads"), "no profile allows a process" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void anOpenForWritingGetsNoProfileHint(Situation s) {
        Run r = Launcher.in(s).inPidNamespace().opt("--profile=compute")
                .program(Launcher.attack("open-write"), Launcher.workPath("hint-target").toString())
                .run().syscallViolation("openat");
        assertFalse(r.text("message").contains("use profile"), "no profile allows writing a file" + r.describe());
    }

    // ---------------------------------------------------------------- the memory minimum

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aMemoryLimitBelowTheMinimumIsRefused(Situation s) {
        Launcher.in(s).opt("--memory=16K").program(Launcher.legit("hello")).run().usageError()
                .launchErrorReported("minimum", "at least");
    }
}
