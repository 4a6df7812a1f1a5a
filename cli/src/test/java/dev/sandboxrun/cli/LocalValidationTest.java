package dev.sandboxrun.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local runs refuse what the CRD (and the launcher) refuse, before any native call, with the
 * field named; programs that are not programs are named for what they are.
 */
class LocalValidationTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    /** A ConfigMap with the program from a file beside the YAML, and a SandboxRun named NAME with SPEC lines. */
    private Path yaml(String name, String programFile, String specExtra) throws IOException {
        Path f = tmp.resolve(name.replaceAll("[^a-z0-9]", "x") + ".yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: prog
                  annotations:
                    sandboxrun.dev/local-files: "program=%s"
                ---
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata:
                  name: %s
                spec:
                  program:
                    configMap: {name: prog, key: program}
                """.formatted(programFile, name) + specExtra);
        return f;
    }

    private void copyHello() throws IOException {
        Files.copy(Cli.EXAMPLES.resolve("hello/hello"), tmp.resolve("hello"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Path> ourTempDirs() throws IOException {
        String prefix = "sandboxrun-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    @Test
    void tinyMemoryIsRefusedBeforeAnythingRuns() throws Exception {
        for (String m : new String[]{"1Ki", "64Ki", "1", "1048575"}) {
            Cli c = Cli.run("exec", "--memory", m, Cli.EXAMPLES.resolve("hello/hello").toString());
            assertEquals(ExitCodes.INVALID_SPEC, c.rc(), m + ": " + c.stderr());
            assertTrue(c.stderr().contains("--memory: " + m + " is less than the least allowed, 1048576 bytes"), c.stderr());
            assertEquals(0, c.stdout().length);
        }
        assertEquals(0, Cli.run("exec", "--memory", "1Mi", Cli.EXAMPLES.resolve("hello/hello").toString()).rc());

        copyHello();
        List<Path> before = ourTempDirs();
        Cli c = Cli.run("run", "-f", yaml("tiny", "hello", "  limits: {memory: \"1\"}\n").toString());
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("spec.limits.memory: 1 is less than the least allowed"), c.stderr());
        assertTrue(c.out().contains("verdict: InvalidSpec"), c.out());
        assertEquals(before, ourTempDirs(), "no temp folder left behind");
    }

    @Test
    void aFolderLeftByAKilledRunIsRemovedByTheNext() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();   // reaped: no process has this pid now (reuse within a second is not expected)
        Path left = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                "sandboxrun-" + deadPid + "-killed"));
        Files.writeString(left.resolve("program"), "x");
        copyHello();
        Cli c = Cli.run("run", "-f", yaml("after", "hello", "").toString(), "-o", "none");
        assertEquals(0, c.rc(), c.stderr());
        assertFalse(Files.exists(left), "the folder of a dead run is swept");
        assertEquals(List.of(), ourTempDirs(), "and this run's own folder is gone");
    }

    @Test
    void memoryBeyondThisMachineIsRefused() throws Exception {
        Cli c = Cli.run("exec", "--memory", "1Ti", Cli.EXAMPLES.resolve("hello/hello").toString());
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("more than this machine has"), c.stderr());

        copyHello();
        c = Cli.run("run", "-f", yaml("huge", "hello", "  limits: {memory: 1Ti}\n").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("more than this machine has"), c.stderr());
    }

    @Test
    void theCrdsRulesApplyLocally() throws Exception {
        copyHello();
        Cli c = Cli.run("run", "-f", yaml("Hello_World", "hello", "").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("metadata.name: Invalid value: \"Hello_World\""), c.stderr());

        c = Cli.run("run", "-f", yaml("retry", "hello", "  retries: 50\n").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("spec.retries: Invalid value: 50: should be less than or equal to 10"), c.stderr());

        c = Cli.run("run", "-f", yaml("stdout", "hello", "  limits: {stdout: 9Mi}\n").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("stdout is at most 8Mi"), c.stderr());

        c = Cli.run("run", "-f", yaml("fine.name-1", "hello", "  retries: 10\n").toString(), "-o", "none");
        assertEquals(0, c.rc(), c.stderr());

        c = Cli.run("run", "-f", yaml("ttl", "hello", "  ttlSecondsAfterFinished: -1\n").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("spec.ttlSecondsAfterFinished"), c.stderr());
    }

    @Test
    void duplicateNamesAreRefusedNamingBoth() throws Exception {
        copyHello();
        Path f = yaml("twice", "hello", "");
        Files.writeString(f, Files.readString(f) + """
                ---
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: twice}
                spec:
                  program: {configMap: {name: prog, key: program}}
                """);
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains(f + ":16: SandboxRun twice (namespace default) is also defined at " + f + ":8"),
                c.stderr());
        assertEquals(0, c.stdout().length, "nothing ran");
    }

    @Test
    void anUnknownProfileIsAnInvalidSpec() throws Exception {
        copyHello();
        Path f = yaml("loose", "hello", "  profile: permissive\n");
        Cli c = Cli.run("run", "-f", f.toString());
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains(f + ":15: SandboxRun loose: spec.profile: 'permissive' is not one of strict, "
                + "compute, threads"), c.stderr());
        assertFalse(c.stderr().contains("Cannot deserialize"), c.stderr());
    }

    @Test
    void programsThatAreNotProgramsAreNamedForWhatTheyAre() throws Exception {
        Cli c = Cli.run("exec", tmp.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains(tmp + ": is a directory, not a program"), c.stderr());

        c = Cli.run("exec", "/dev/null");
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains("/dev/null: is not a regular file"), c.stderr());

        Path src = Cli.EXAMPLES.resolve("hello/hello.c");
        c = Cli.run("exec", src.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains("is C source, not a program: build it first, e.g. gcc -static -O2 -o hello hello.c"),
                c.stderr());
        assertFalse(c.stderr().contains("chmod"), c.stderr());

        c = Cli.run("exec", tmp.resolve("missing").toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains("missing: no such file"), c.stderr());
    }

    @Test
    void aConfigMapProgramIsNamedByItsKeyNeverATempPath() throws Exception {
        Files.copy(Cli.EXAMPLES.resolve("hello/hello.c"), tmp.resolve("hello.c"));
        Cli c = Cli.run("run", "-f", yaml("source", "hello.c", "").toString(), "-o", "none");
        assertEquals(ExitCodes.LAUNCH_ERROR, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("program: configMap prog key program is C source"), c.stderr());

        Files.copy(Path.of("/bin/true"), tmp.resolve("dyn"));
        c = Cli.run("run", "-f", yaml("dynamic", "dyn", "").toString(), "-o", "none");
        assertEquals(ExitCodes.LAUNCH_ERROR, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("configMap prog key program"), c.stderr());
        assertTrue(c.stderr().contains("dynamically linked"), c.stderr());
        assertFalse(c.stderr().contains("/sandboxrun-"), c.stderr());
    }
}
