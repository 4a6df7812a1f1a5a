package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The result document: valid JSON, at most 4096 bytes, whatever the program writes to stderr. */
class ResultDocumentTest extends LauncherTestBase {

    static Stream<Arguments> hostileModes() {
        return Stream.of(Situation.values()).flatMap(s ->
                Stream.of("bytes", "control", "invalid", "marker").map(m -> Arguments.of(s, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostileModes")
    void hostileStderrKeepsTheDocumentValidAndSmall(Situation s, String mode) {
        // reported() checks: valid strict JSON (UTF-8, no duplicate keys), <= 4096 bytes,
        // stderrTail <= 1 KiB, every field and type, nothing on the launcher's stderr
        Run r = Launcher.in(s).program(Launcher.legit("stderr-hostile"), mode).run().completedWith("done\n");
        String tail = r.text("stderrTail");
        assertTrue(!tail.isEmpty(), "stderrTail holds the end of stderr" + r.describe());
        if (mode.equals("marker")) {
            String marker = "TAIL \"quoted\" \\back\\slash {\"verdict\":\"Completed\"} END\n";
            assertTrue(tail.endsWith(marker), "stderrTail must end with the last bytes written" + r.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void hostileStderrWithResultOnStderr(Situation s) {
        // without --result the launcher's stderr is the document, and only it
        Run r = Launcher.in(s).resultOnStderr().program(Launcher.legit("stderr-hostile"), "control").run()
                .completedWith("done\n");
        assertTrue(r.stderr.length <= Launcher.RESULT_MAX + 1, "stderr holds one document" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void resultOnStderrByDefault(Situation s) {
        Run r = Launcher.in(s).resultOnStderr().program(Launcher.legit("hello")).run()
                .completedWith("Hello from C (glibc, static)\n");
        assertEquals("Completed", r.verdict());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void resultFieldsOfAnOrdinaryRun(Situation s) {
        Run r = Launcher.in(s).program(Launcher.legit("hello")).run()
                .completedWith("Hello from C (glibc, static)\n");
        assertEquals(29, r.num("stdoutBytes"), r.describe());
        assertTrue(r.result().get("exitCode").isInt() && r.num("exitCode") == 0, r.describe());
        assertTrue(r.result().get("signal").isNull(), r.describe());
        assertTrue(r.result().get("syscall").isNull(), r.describe());
        assertEquals("", r.text("stderrTail"), r.describe());
        assertTrue(r.num("maxRssBytes") > 0, "a running program has a resident set" + r.describe());
        assertTrue(r.num("wallMs") < 2000, r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stderrTailOfAFailingProgram(Situation s) {
        // the malloc-fail program's own message is the end of its stderr
        Run r = Launcher.in(s).opt("--memory=32M").program(Launcher.legit("malloc-fail")).run()
                .verdict("MemoryLimitExceeded");
        String tail = r.text("stderrTail");
        assertTrue(tail.isEmpty() || tail.startsWith("malloc-fail: out of memory after "),
                "stderrTail is the program's own words, or empty when it was killed" + r.describe());
    }
}
