package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Situation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The harness itself: what it checks after a test must be about that test's launchers only. */
class HarnessTest extends LauncherTestBase {

    @ParameterizedTest
    @EnumSource(Situation.class)
    void anotherLauncherOnTheMachineDoesNotFailATest(Situation s) throws Exception {
        // a launcher the harness did not start (a person's `sandboxrun exec`, another suite),
        // from the same files and beneath the same cgroups, runs a sleeper for the whole test
        Launcher.assumeSituation(s);
        Path sleep = Launcher.legit("sleep");
        List<String> cmd = new ArrayList<>();
        if (s == Situation.UNPRIVILEGED_NO_CGROUP && Launcher.isRoot()) {
            cmd.addAll(Arrays.asList(Launcher.SETPRIV));
        }
        cmd.addAll(List.of(Launcher.launcher().toString(), "--wall-ms=60000", "--", sleep.toString(), "forever"));
        Process foreign = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<Path> foreignCgroups = new TreeSet<>();
        try {
            assertTrue(Launcher.waitUntil(() -> Launcher.stagedProcesses().stream()
                    .anyMatch(l -> l.endsWith(" " + sleep)), 5000), "the other launcher's program never started");
            if (s == Situation.ROOT_WITH_CGROUP) {
                foreignCgroups.addAll(Launcher.sandboxCgroups());
                foreignCgroups.removeIf(c -> !Launcher.cgroupOfPid(c, foreign.pid()));
                assertFalse(foreignCgroups.isEmpty(), "the other launcher has a cgroup beside ours");
            }
            // this test's own run, then its after-each check, while the other one goes on
            Launcher.in(s).program(Launcher.legit("hello")).run().completedWith("Hello from C (glibc, static)\n");
            assertDoesNotThrow(Launcher::assertNothingLeftBehind,
                    "the after-each check counted another launcher's cgroup or processes");
            assertTrue(foreign.isAlive(), "the other launcher was disturbed");
        } finally {
            foreign.toHandle().destroy(); // SIGTERM: it stops its program and removes its cgroup
            if (!foreign.waitFor(10, TimeUnit.SECONDS)) {
                foreign.toHandle().destroyForcibly();
                foreign.waitFor();
            }
        }
        for (Path c : foreignCgroups) {
            assertTrue(Launcher.waitUntil(() -> !Files.exists(c), 2000), "the other launcher left " + c);
        }
    }
}
