package dev.sandboxrun.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local-files annotation reaches the YAML's own folder only, unless --allow-files-outside. */
class LocalFilesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    private Path yamlIn(Path dir, String program, String stdin) throws Exception {
        Files.createDirectories(dir);
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: files
                  annotations:
                    sandboxrun.dev/local-files: "program=%s,in=%s"
                ---
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: sorted}
                spec:
                  program: {configMap: {name: files, key: program}}
                  stdin: {configMap: {name: files, key: in}}
                """.formatted(program, stdin));
        return f;
    }

    @Test
    void filesInsideTheFolderAreRead() throws Exception {
        Path dir = tmp.resolve("job");
        Files.createDirectories(dir.resolve("bin"));
        Files.copy(Cli.EXAMPLES.resolve("sort/sort"), dir.resolve("bin/sort"));
        Files.writeString(dir.resolve("input"), "b\na\n");
        Cli c = Cli.run("run", "-f", yamlIn(dir, "bin/sort", "input").toString(), "-o", "none");
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("a\nb\n", c.out());
    }

    @Test
    void aProgramOutsideTheFolderIsRefusedUnlessAllowed() throws Exception {
        Files.copy(Cli.EXAMPLES.resolve("sort/sort"), tmp.resolve("sort"));
        Path dir = tmp.resolve("job");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("input"), "b\na\n");
        Path f = yamlIn(dir, "../sort", "input");
        Cli c = Cli.run("run", "-f", f.toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("names " + tmp.resolve("sort") + ", which is outside that folder"), c.stderr());
        assertTrue(c.stderr().contains("unless `run --allow-files-outside` is given"), c.stderr());
        assertEquals(0, c.stdout().length);

        c = Cli.run("run", "--allow-files-outside", "-f", f.toString(), "-o", "none");
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("a\nb\n", c.out());
    }

    @Test
    void stdinFromAnAbsolutePathOrThroughASymlinkIsRefused() throws Exception {
        Path dir = tmp.resolve("job");
        Files.createDirectories(dir);
        Files.copy(Cli.EXAMPLES.resolve("sort/sort"), dir.resolve("sort"));
        Cli c = Cli.run("run", "-f", yamlIn(dir, "sort", "/etc/shadow").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("stdin: configMap files key in: the annotation sandboxrun.dev/local-files names"
                + " /etc/shadow, which is outside that folder"), c.stderr());
        assertEquals(0, c.stdout().length);

        Files.writeString(tmp.resolve("secret"), "x\n");
        Files.createSymbolicLink(dir.resolve("innocent"), tmp.resolve("secret"));
        c = Cli.run("run", "-f", yamlIn(dir, "sort", "innocent").toString(), "-o", "none");
        assertEquals(ExitCodes.INVALID_SPEC, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("a symbolic link to " + tmp.resolve("secret").toRealPath()), c.stderr());
        assertEquals(0, c.stdout().length);
    }
}
