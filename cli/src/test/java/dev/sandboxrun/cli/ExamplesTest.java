package dev.sandboxrun.cli;

import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.cli.cluster.StdoutChunks;
import dev.sandboxrun.cli.local.LocalRunner;
import dev.sandboxrun.cli.local.Manifests;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example, run locally: exact stdout, verdict, status, exit code. */
class ExamplesTest {
    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "primes", "sort", "strict", "threads", "memory", "attack", "go-hello", "go-hello-parts",
            "cpp-hello-parts", "rust-hello-parts"})
    void exampleRunsAsDocumented(String name) throws Exception {
        Path dir = Cli.EXAMPLES.resolve(name);
        byte[] expected = Files.readAllBytes(dir.resolve("expected-stdout"));
        Verdict verdict = Verdict.valueOf(Files.readString(dir.resolve("expected-verdict")).trim());

        // Through the library: the status the operator would write.
        Manifests m = Manifests.read(List.of(dir));
        Manifests.Document doc = m.runs().get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LocalRunner.Outcome o = new LocalRunner(LibSandboxRun.get()).run(m, doc, out, -1);
        assertArrayEquals(expected, out.toByteArray(), () -> name + " stdout:\n" + out);
        SandboxRunStatus s = o.run().getStatus();
        assertEquals(verdict, s.getVerdict(), s.getMessage());
        assertEquals(verdict == Verdict.Completed ? Phase.Succeeded : Phase.Failed, s.getPhase());
        assertEquals(expected.length, s.getStdout().getBytes());
        assertEquals(StdoutChunks.sha256(expected), s.getStdout().getSha256());
        assertEquals(Boolean.TRUE, s.getStdout().getComplete());
        assertEquals(StatusMapper.preview(expected), s.getStdout().getPreview());
        // The digest of what ran: the example's program, or for NAME-parts the program of NAME
        // its parts were cut from (make -C examples builds both).
        String prog0 = name.endsWith("-parts") ? name.substring(0, name.length() - "-parts".length()) : name;
        Path program = Cli.EXAMPLES.resolve(prog0).resolve(prog0);
        assertEquals(StdoutChunks.sha256(Files.readAllBytes(program)), s.getProgramSha256(), program.toString());
        assertEquals(1, s.getAttempts());
        assertEquals(1L, s.getObservedGeneration());
        assertNotNull(s.getStartTime());
        assertNotNull(s.getCompletionTime());
        String condition = verdict == Verdict.Completed ? StatusMapper.COMPLETE : StatusMapper.FAILED;
        assertEquals("True", s.condition(condition).getStatus());
        assertEquals(verdict.name(), s.condition(condition).getReason());
        if (verdict == Verdict.SyscallViolation) {
            assertEquals("socket", s.getSyscall());
        }
        if (verdict == Verdict.Completed) {
            assertEquals(0, s.getExitCode());
        }

        // Through the command line: stdout, then the resource; the verdict's exit code.
        Cli c = Cli.run("run", "-f", dir.toString());
        assertEquals(ExitCodes.of(verdict), c.rc(), c.stderr());
        String text = c.out();
        String prog = new String(expected, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith(prog + "---\n"), text);
        SandboxRun back = dev.sandboxrun.cli.command.Printing.serialization()
                .unmarshal(text.substring(prog.length()), SandboxRun.class);
        assertEquals(verdict, back.getStatus().getVerdict());
        assertEquals(name, back.getMetadata().getName());
        assertNull(back.getStatus().getPodName());
    }
}
