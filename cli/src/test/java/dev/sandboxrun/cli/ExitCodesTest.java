package dev.sandboxrun.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented exit codes, and bad input that names what is wrong without a stack trace. */
class ExitCodesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String PRIMES_CM = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: primes-program
              annotations:
                sandboxrun.dev/local-files: "program=%s"
            ---
            """;

    /** A SandboxRun of primes whose program is a copy beside the YAML (local files stay in its folder). */
    private String primesRun(String specExtra) throws Exception {
        Files.copy(Cli.EXAMPLES.resolve("primes/primes"), tmp.resolve("primes"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return PRIMES_CM.formatted("primes") + """
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata:
                  name: p
                spec:
                  program:
                    configMap: {name: primes-program, key: program}
                """ + specExtra;
    }

    @Test
    void completedIsZero() {
        Cli c = Cli.run("exec", Cli.EXAMPLES.resolve("primes/primes").toString(), "10");
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("2\n3\n5\n7\n", c.out());
        assertTrue(c.stderr().contains("Completed (exited with code 0): cpu "), c.stderr());
    }

    @Test
    void nonZeroExit() throws Exception {
        Cli c = Cli.run("run", "-f", write("r.yaml", primesRun("  args: [\"1\"]\n")).toString(), "-o", "none");
        assertEquals(ExitCodes.NON_ZERO_EXIT, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("NonZeroExit"), c.stderr());
    }

    @Test
    void cpuTimeLimit() {
        Cli c = Cli.run("exec", "--cpu", "100ms", "--memory", "256Mi",
                Cli.EXAMPLES.resolve("primes/primes").toString(), "100000000");
        assertEquals(ExitCodes.CPU_TIME_LIMIT, c.rc(), c.stderr());
    }

    @Test
    void memoryLimitAndSyscallViolationAndSignalCodes() {
        assertEquals(ExitCodes.MEMORY_LIMIT, Cli.run("run", "-f", Cli.EXAMPLES.resolve("memory").toString()).rc());
        assertEquals(ExitCodes.SYSCALL_VIOLATION, Cli.run("run", "-f", Cli.EXAMPLES.resolve("attack").toString()).rc());
    }

    @Test
    void outputLimit() {
        Cli c = Cli.run("exec", "--stdout-max", "10", Cli.EXAMPLES.resolve("primes/primes").toString(), "1000");
        assertEquals(ExitCodes.OUTPUT_LIMIT, c.rc(), c.stderr());
        assertEquals(10, c.stdout().length);
    }

    @Test
    void dynamicallyLinkedProgramGetsTheLaunchersAdvice() {
        Cli c = Cli.run("exec", "/bin/true");
        assertEquals(ExitCodes.LAUNCH_ERROR, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("dynamically linked") && c.stderr().contains("-static"), c.stderr());
    }

    @Test
    void strictProfileKillsAGlibcProgram() {
        Cli c = Cli.run("exec", "--profile", "strict", Cli.EXAMPLES.resolve("hello/hello").toString());
        assertEquals(ExitCodes.SYSCALL_VIOLATION, c.rc(), c.stderr());
    }

    @Test
    void badCommandLine() {
        assertEquals(ExitCodes.USAGE, Cli.run("exec", "--cpu", "two seconds", "/bin/true").rc());
        assertEquals(ExitCodes.USAGE, Cli.run("run").rc());
        assertEquals(ExitCodes.USAGE, Cli.run("nonsense").rc());
        Cli c = Cli.run("exec", "--profile", "loose", Cli.EXAMPLES.resolve("hello/hello").toString());
        assertEquals(ExitCodes.USAGE, c.rc());
        assertTrue(c.stderr().contains("strict, compute or threads"), c.stderr());
    }

    @Test
    void yamlErrorNamesFileAndLine() throws Exception {
        Path f = write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n");
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains(f + ":"), c.stderr());
        assertTrue(c.stderr().contains("not valid YAML"), c.stderr());
    }

    @Test
    void unknownFieldNamesFileLineAndField() throws Exception {
        Path f = write("typo.yaml", primesRun("  limits:\n    cpus: 1s\n"));
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains(f + ":16: SandboxRun p: spec.limits.cpus: unknown field"), c.stderr());
    }

    @Test
    void missingConfigMapIsNamed() throws Exception {
        Path f = write("missing.yaml", """
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: lonely}
                spec:
                  program:
                    configMap: {name: lonely-bin, key: prog}
                """);
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.PROGRAM_NOT_FOUND, c.rc());
        assertTrue(c.out().contains("verdict: ProgramNotFound"), c.out());
        assertTrue(c.stderr().contains("configMap lonely-bin not found"), c.stderr());
    }

    @Test
    void missingKeyAndMissingStdinAreNamed() throws Exception {
        Path f = write("key.yaml", primesRun("  stdin:\n    secret: {name: input, key: in}\n")
                .replace("key: program}", "key: prog}"));
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.PROGRAM_NOT_FOUND, c.rc());
        assertTrue(c.stderr().contains("has no key prog (it has: program)"), c.stderr());

        Path g = write("stdin.yaml", primesRun("  stdin:\n    secret: {name: input, key: in}\n"));
        c = Cli.run("run", "-f", g.toString());
        assertEquals(ExitCodes.PROGRAM_NOT_FOUND, c.rc());
        assertTrue(c.stderr().contains("stdin: secret input not found"), c.stderr());
    }

    @Test
    void missingLocalFileSaysHowToBuildIt() throws Exception {
        Path f = write("local.yaml", PRIMES_CM.formatted("not-built-yet") + """
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: p}
                spec:
                  program: {configMap: {name: primes-program, key: program}}
                """);
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.PROGRAM_NOT_FOUND, c.rc());
        assertTrue(c.stderr().contains("not-built-yet") && c.stderr().contains("does not exist"), c.stderr());
    }

    @Test
    void secretAndStdinTextWork() throws Exception {
        String b64 = java.util.Base64.getEncoder().encodeToString(
                Files.readAllBytes(Cli.EXAMPLES.resolve("sort/sort")));
        Path f = write("secret.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: sorter}
                data:
                  bin: %s
                ---
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: s}
                spec:
                  program: {secret: {name: sorter, key: bin}}
                  stdin: {text: "b\\na\\n"}
                """.formatted(b64));
        Cli c = Cli.run("run", "-f", f.toString(), "-o", "none");
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("a\nb\n", c.out());
    }

    @Test
    void invalidSpecs() throws Exception {
        Path f = write("limits.yaml", primesRun("  limits: {memory: lots}\n"));
        Cli c = Cli.run("run", "-f", f.toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc());
        assertTrue(c.stderr().contains("limits.memory"), c.stderr());

        Path g = write("image.yaml", """
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: img}
                spec:
                  program: {image: {reference: "registry.example/p:1", path: /p}}
                """);
        c = Cli.run("run", "-f", g.toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc());
        assertTrue(c.stderr().contains("runs only on a cluster"), c.stderr());
    }

    @Test
    void nothingToRunAndNoSuchFile() throws Exception {
        assertEquals(ExitCodes.BAD_INPUT, Cli.run("run", "-f", tmp.resolve("nope.yaml").toString()).rc());
        Path f = write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains("no SandboxRun"), c.stderr());
        assertEquals(ExitCodes.BAD_INPUT, Cli.run("exec", tmp.resolve("nope").toString()).rc());
    }

    @Test
    void severalRunsExitWithTheFirstFailure() {
        Cli c = Cli.run("run", "-f", Cli.EXAMPLES.resolve("hello").toString(), Cli.EXAMPLES.resolve("attack").toString(),
                Cli.EXAMPLES.resolve("memory").toString(), "-o", "name");
        assertEquals(ExitCodes.SYSCALL_VIOLATION, c.rc());
        assertTrue(c.out().contains("sandboxrun.sandboxrun.dev/hello Completed"), c.out());
        assertTrue(c.out().contains("sandboxrun.sandboxrun.dev/memory MemoryLimitExceeded"), c.out());
    }
}
