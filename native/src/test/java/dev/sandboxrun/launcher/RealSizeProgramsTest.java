package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples of real size (examples/cpp-hello, rust-hello, go-hello: 1.8 to 5 MiB static),
 * built by their own Makefiles, cut into parts of less than 1 MiB (what one ConfigMap holds)
 * and run through the launcher with their digest, in both situations.
 */
class RealSizeProgramsTest extends LauncherTestBase {

    /** Under 1 MiB with room for a ConfigMap's own overhead. */
    static final int PART_MAX = 1_000_000;

    static Path repo() {
        return Launcher.buildDir().getParent().getParent();
    }

    static Stream<Arguments> examples() {
        List<Arguments> a = new ArrayList<>();
        for (Situation s : Situation.values()) {
            a.add(Arguments.of("cpp-hello", "g++", "compute", s));
            a.add(Arguments.of("rust-hello", "rustc", "compute", s));
            a.add(Arguments.of("go-hello", "go", "threads", s));
        }
        return a.stream();
    }

    /** Builds the example with its Makefile; skipped, visibly, only when its compiler is absent. */
    static Path build(String name, String compiler) throws Exception {
        Assumptions.assumeTrue(Launcher.onPath(compiler),
                "examples/" + name + " needs " + compiler + ", which is not installed here (scripts/setup installs it)");
        Path dir = repo().resolve("examples").resolve(name);
        Process p = new ProcessBuilder("make", "-s", "--no-print-directory", "-C", dir.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make -C examples/" + name + ":\n" + log);
        Path exe = dir.resolve(name);
        assertTrue(Files.isRegularFile(exe), "examples/" + name + " was not built:\n" + log);
        return exe;
    }

    @ParameterizedTest(name = "{0} in {3}")
    @MethodSource("examples")
    void runsFromPartsWithItsDigest(String name, String compiler, String profile, Situation s) throws Exception {
        Path exe = build(name, compiler);
        byte[] b = Files.readAllBytes(exe);
        assertTrue(b.length > 1 << 20, name + " is " + b.length + " bytes: not of real size");
        ProgramPartsTest.Parts parts = ProgramPartsTest.split(b, (b.length + PART_MAX - 1) / PART_MAX);
        assertTrue(parts.files().size() >= 2, "at least two parts");
        for (Path f : parts.files()) {
            assertTrue(Files.size(f) < 1 << 20, "a part of " + Files.size(f) + " bytes would not fit a ConfigMap");
        }
        Path dir = repo().resolve("examples").resolve(name);
        String expected = Files.readString(dir.resolve("expected-stdout"));
        Path in = Launcher.workFile("stdin", "1 2 3 4\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Run r = parts.into(Launcher.in(s).opt("--profile=" + profile, "--stdin=" + in, "--memory=128M"))
                .program(name).run();
        r.verdict(Files.readString(dir.resolve("expected-verdict")).trim()).stdout(expected);
        assertEquals(parts.sha256(), r.text("programSha256"), r.describe());
    }
}
