package dev.sandboxrun.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real ./sandboxrun script building itself in a copy of the checkout's layout, with make,
 * mvn and scripts/setup replaced by stand-ins (the real build takes minutes and would write into
 * the tree under test): progress instead of build output, one build for parallel first uses, its
 * own exit code when the build fails, and a user who cannot write the checkout.
 */
class BuildScriptIT {
    @TempDir
    Path tmp;

    private Path checkout() throws Exception {
        Path root = tmp.resolve("checkout");
        for (String d : new String[]{"cli/src/main/java", "api/src/main/java", "native/src", "native/include", "scripts",
                "examples/hello", "tools"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Cli.REPO.resolve("sandboxrun"), root.resolve("sandboxrun"));
        Files.writeString(root.resolve("cli/src/main/java/A.java"), "class A {}\n");
        executable(root.resolve("scripts/setup"), "#!/bin/sh\necho setup \"$@\" >> \"$(dirname \"$0\")/../calls\"\n");
        // make: the launcher's library "builds"; anything else (the example for the archive) fails quietly.
        executable(root.resolve("tools/make"), """
                #!/bin/sh
                echo "make $*" >> "$CALLS"
                case "$*" in *build/libsandboxrun.so*) echo 'cc -O2 -o build/x.o src/x.c' ; exit 0 ;; esac
                exit 2
                """);
        // mvn: slow enough for the parallel callers to meet, then the real jar as its product.
        executable(root.resolve("tools/mvn"), """
                #!/bin/sh
                echo "mvn $*" >> "$CALLS"
                echo '[INFO] compiling 60 source files'
                sleep 2
                if [ -n "$FAIL_BUILD" ]; then echo '[ERROR] boom: cannot find symbol'; exit 1; fi
                mkdir -p cli/target && cp "$REAL_JAR" cli/target/sandboxrun.jar
                """);
        return root;
    }

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Map<String, String> env(Path root, boolean fail) {
        return Map.of("PATH", root.resolve("tools") + ":" + System.getenv("PATH"),
                "CALLS", root.resolve("calls").toString(), "REAL_JAR", Shell.JAR.toString(),
                "FAIL_BUILD", fail ? "1" : "");
    }

    private static long count(Path calls, String prefix) throws Exception {
        return Files.exists(calls) ? Files.readAllLines(calls).stream().filter(l -> l.startsWith(prefix)).count() : 0;
    }

    @Test
    void parallelFirstUsesShareOneQuietBuild() throws Exception {
        Path root = checkout();
        List<CompletableFuture<Shell>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return Shell.run(root, "./sandboxrun --version", env(root, false));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Shell> f : runs) {
            Shell s = f.get();
            assertEquals(0, s.rc(), s.toString());
            assertEquals("sandboxrun " + System.getProperty("sandboxrun.version") + "\n", s.out());
            assertFalse(s.err().contains("compiling") || s.err().contains("cc -O2"), "build output on the terminal:\n" + s.err());
            assertFalse(s.err().contains("\u001b["), "colour codes:\n" + s.err());
        }
        assertEquals(1, count(root.resolve("calls"), "mvn "), Files.readString(root.resolve("calls")));
        assertEquals(1, count(root.resolve("calls"), "setup run"), "only what running needs is installed");
        String all = runs.stream().map(f -> f.join().err()).reduce("", String::concat);
        assertTrue(all.contains("sandboxrun: building the CLI"), all);
        assertTrue(all.contains("3/4 the CLI jar"), all);

        // Built: the next call goes straight to the jar.
        Shell again = Shell.run(root, "./sandboxrun --version", env(root, false));
        assertEquals(0, again.rc(), again.toString());
        assertEquals("", again.err());
        assertEquals(1, count(root.resolve("calls"), "mvn "));

        // A source changed (git pull): built again.
        Files.writeString(root.resolve("cli/src/main/java/B.java"), "class B {}\n");
        Files.setLastModifiedTime(root.resolve("cli/src/main/java/B.java"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        again = Shell.run(root, "./sandboxrun --version", env(root, false));
        assertEquals(0, again.rc(), again.toString());
        assertEquals(2, count(root.resolve("calls"), "mvn "));
    }

    @Test
    void aFailedBuildHasItsOwnExitCodeAndShowsTheLogsEnd() throws Exception {
        Path root = checkout();
        Shell s = Shell.run(root, "./sandboxrun exec ./prog", env(root, true));
        assertEquals(ExitCodes.BUILD_FAILED, s.rc(), s.toString());
        assertTrue(s.err().contains("the build failed (maven)"), s.err());
        assertTrue(s.err().contains("[ERROR] boom: cannot find symbol"), s.err());
    }

    @Test
    void aUserWhoCannotWriteTheCheckoutRunsTheBuildThatIsThere() throws Exception {
        assumeTrue(System.getProperty("user.name").equals("root"), "skipped: needs root to run a command as uid 65534");
        Path root = checkout();
        Shell s = Shell.run(root, "./sandboxrun --version", env(root, false));
        assertEquals(0, s.rc(), s.toString());
        Files.writeString(root.resolve("cli/src/main/java/C.java"), "class C {}\n");
        Files.setLastModifiedTime(root.resolve("cli/src/main/java/C.java"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        for (Path p = root; p.startsWith(tmp); p = p.getParent()) {   // JUnit makes tmp 700
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.copy(Shell.JAR, root.resolve("cli/target/bin/sandboxrun.jar"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setLastModifiedTime(root.resolve("cli/target/bin/sandboxrun.jar"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        s = Shell.run(root, "setpriv --reuid 65534 --regid 65534 --clear-groups ./sandboxrun --version",
                env(root, false));
        assertEquals(0, s.rc(), s.toString());
        assertEquals("sandboxrun " + System.getProperty("sandboxrun.version") + "\n", s.out());
        assertTrue(s.err().contains("you cannot write to this checkout: running the build that is there"), s.err());
        assertEquals(1, count(root.resolve("calls"), "mvn "), "no build attempted as the other user");
    }
}
