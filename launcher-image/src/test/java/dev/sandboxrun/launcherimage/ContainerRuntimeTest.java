package dev.sandboxrun.launcherimage;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher image in a real container runtime (podman + runc), run exactly as the operator runs a
 * sandbox pod (see {@link SandboxPodRun}). Without a working podman these tests fail, saying why: they
 * never pass by skipping.
 */
class ContainerRuntimeTest {
    static final long MIB = 1L << 20;
    static Path work;
    static Path bin;
    /** The loaded image, by the digest this build recorded: never a stale image with the same tag. */
    static String image;

    @BeforeAll
    static void loadImageAndBuildPrograms() throws Exception {
        work = Files.createDirectories(Path.of(TestPaths.property("sandboxrun.test.work")));
        bin = Files.createDirectories(work.resolve("bin"));
        Path sources = Path.of(TestPaths.property("sandboxrun.test.programs"));
        for (String name : List.of("greet", "attack-exec", "attack-socket", "attack-forge-result", "memory-hog")) {
            compile(sources.resolve(name + ".c"), bin.resolve(name));
        }

        Podman.ok(List.of("version"), 60);
        Podman.ok(List.of("load", "--input", TestPaths.property("sandboxrun.image.tarball")), 120);
        String digest = Files.readString(Path.of(TestPaths.property("sandboxrun.image.digest-file"))).trim();
        String reference = TestPaths.property("sandboxrun.image.reference");
        String repository = reference.substring(0, reference.lastIndexOf(':'));
        image = repository + "@" + digest;
        Podman.Result loaded = Podman.ok(List.of("image", "inspect", reference, "--format", "{{.Digest}}"), 60);
        assertEquals(digest, loaded.out().trim(), "podman keeps the manifest digest that the build recorded");
    }

    @Test
    void wellBehavedProgramCompletesWithItsExactStdout() throws Exception {
        SandboxPodRun.Outcome o = new SandboxPodRun(bin.resolve("greet"), "Ada", "Linus")
                .stdin("one\ntwo\n").run(image, work);
        String expected = "hello, Ada\nhello, Linus\nstdin: one\nstdin: two\n2 lines\n";
        assertEquals(0, o.process().exitCode(), o::toString);
        assertEquals(expected, o.stdout(), o::toString);
        assertEquals("", o.process().stderr(), "with --result=FILE nothing reaches stderr (a pod's log mixes both)\n" + o);
        JsonNode r = o.result();
        assertEquals("Completed", r.get("verdict").asText(), o::toString);
        assertEquals(0, r.get("exitCode").asInt());
        assertEquals(expected.length(), r.get("stdoutBytes").asLong());
        assertEquals(sha256(expected.getBytes(StandardCharsets.UTF_8)), r.get("stdoutSha256").asText());
        assertFalse(o.oomKilled());
        assertTrue(o.terminationMessage().length() <= 4096, "fits a termination message");
    }

    @Test
    void emptyStdinWhenTheRunGivesNone() throws Exception {
        SandboxPodRun.Outcome o = new SandboxPodRun(bin.resolve("greet"), "world").run(image, work);
        assertEquals("hello, world\n0 lines\n", o.stdout(), o::toString);
        assertEquals("Completed", o.result().get("verdict").asText(), o::toString);
    }

    @ParameterizedTest(name = "{0} -> SyscallViolation ({1})")
    @CsvSource({
            "attack-exec, execve",
            "attack-socket, socket",
            "attack-forge-result, open|openat",
    })
    void attacksEndAsSyscallViolation(String program, String syscalls) throws Exception {
        SandboxPodRun.Outcome o = new SandboxPodRun(bin.resolve(program)).run(image, work);
        assertEquals(0, o.process().exitCode(), "the launcher reached a verdict\n" + o);
        JsonNode r = o.result();
        assertEquals("SyscallViolation", r.get("verdict").asText(), o::toString);
        assertTrue(Set.of(syscalls.split("\\|")).contains(r.get("syscall").asText()), o::toString);
        assertEquals("SIGKILL", r.get("signal").asText());
        assertFalse(o.stdout().contains("returned") || o.stdout().contains("forged"), o::toString);
    }

    @Test
    void memoryBeyondTheRunsLimitIsMemoryLimitExceeded() throws Exception {
        // The operator's pod: launcher --memory=64Mi, container limit 64Mi + 16Mi overhead.
        SandboxPodRun.Outcome o = new SandboxPodRun(bin.resolve("memory-hog"), "1024")
                .memory(64 * MIB, 80 * MIB).run(image, work);
        assertMemoryLimitExceeded(o);
    }

    @Test
    void memoryBeyondTheContainersLimitIsMemoryLimitExceeded() throws Exception {
        // The container's limit (the kernel's hard wall in a pod) is below what the launcher was told:
        // the kernel's OOM kill inside the container's cgroup must still end as MemoryLimitExceeded.
        SandboxPodRun.Outcome o = new SandboxPodRun(bin.resolve("memory-hog"), "1024")
                .memory(256 * MIB, 48 * MIB).run(image, work);
        assertMemoryLimitExceeded(o);
    }

    /** From the launcher's result, or, when the container itself was OOM-killed, as the operator maps it. */
    static void assertMemoryLimitExceeded(SandboxPodRun.Outcome o) {
        assertFalse(o.stdout().contains("touched"), o::toString);
        if (o.oomKilled()) {
            // The operator maps a container terminated with reason OOMKilled to MemoryLimitExceeded.
            System.out.println("container OOMKilled (operator's mapping: MemoryLimitExceeded): " + o.command());
            return;
        }
        assertEquals(0, o.process().exitCode(), o::toString);
        JsonNode r = o.result();
        assertEquals("MemoryLimitExceeded", r.get("verdict").asText(), o::toString);
        assertEquals("SIGKILL", r.get("signal").asText(), o::toString);
    }

    static void compile(Path source, Path out) throws IOException, InterruptedException {
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return;
        }
        Process p = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "gcc -static " + source + ":\n" + output);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
