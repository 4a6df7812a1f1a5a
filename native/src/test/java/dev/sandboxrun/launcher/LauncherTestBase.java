package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * After every test: no sandboxrun-* cgroup left beneath our own cgroups (the launcher's
 * cgroup is ours: it is our child), and no process still running a staged program.
 */
abstract class LauncherTestBase {

    private Set<Path> cgroupsBefore;

    @BeforeEach
    void rememberCgroups() {
        cgroupsBefore = Launcher.sandboxCgroups();
    }

    @AfterEach
    void nothingLeftBehind() {
        // Another launcher on this machine (someone else's run) may own a new cgroup for a
        // while; ours are gone once our launcher has exited. What stays for 3 s is a leak.
        Set<Path> left = new TreeSet<>(Launcher.sandboxCgroups());
        left.removeAll(cgroupsBefore);
        for (int i = 0; i < 30 && !left.isEmpty(); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left.removeIf(p -> !Files.exists(p));
        }
        List<String> procs = Launcher.stagedProcesses();
        for (Path p : left) {
            try {
                Files.deleteIfExists(p); // rmdir: so one leak does not fail every later test
            } catch (Exception e) {
                // still populated: reported below anyway
            }
        }
        assertTrue(left.isEmpty(), "cgroups left behind by the launcher: " + left);
        assertTrue(procs.isEmpty(), "processes left behind by the launcher: " + procs);
    }
}
