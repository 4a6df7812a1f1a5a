package dev.sandboxrun.cli;

import dev.sandboxrun.cli.command.DoctorCommand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** doctor on this machine: Linux x86-64 with seccomp filters and user notification (kernel 6.x). */
class DoctorTest {
    @Test
    void thisMachineCanRunSandboxes() {
        Cli c = Cli.run("doctor");
        assertEquals(0, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("seccomp filters     yes"), c.stderr());
        assertTrue(c.stderr().contains("user notification   yes"), c.stderr());
        assertTrue(c.stderr().contains("verdict: this machine can run sandboxes."), c.stderr());
        DoctorCommand.Findings f = DoctorCommand.probe();
        assertTrue(f.canRun());
        assertNotNull(f.cgroupVersion());
        assertNotNull(f.userNamespaces());
    }

    @Test
    void rootWithCgroupsGetsAMemoryCgroup() {
        DoctorCommand.Findings f = DoctorCommand.probe();
        assumeTrue(f.root(), "skipped: not root, so no writable cgroup is expected (memory is watched instead)");
        assumeTrue(f.writableCgroup(), "skipped: root, but no writable memory cgroup here: " + f.writableDetail());
        assertTrue(String.join("\n", DoctorCommand.report(f)).contains("a cgroup of its own per run"));
    }
}
