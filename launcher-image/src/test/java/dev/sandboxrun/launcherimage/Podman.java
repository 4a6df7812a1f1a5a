package dev.sandboxrun.launcherimage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman with runc, as this host needs it (shared/notes/stack-facts.md): crun fails on the
 * hybrid cgroups here, and root lacks CAP_SYS_RESOURCE, so the default ulimits are set explicitly.
 */
public final class Podman {
    /** Flags every container needs on this kind of host; they change nothing that a pod has. */
    public static final List<String> HOST_FLAGS = List.of("--runtime", "runc",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");
    /** The podman executable (-Dsandboxrun.podman=PATH to use another one). */
    public static final String EXECUTABLE = System.getProperty("sandboxrun.podman", "podman");
    public static final String INSTALL_HINT = "install podman, runc and uidmap (scripts/setup does: apt-get install podman runc"
            + " uidmap) and run the tests as root";

    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String describe(List<String> command) {
            return String.join(" ", command) + "\n  exit " + exitCode + "\n  stdout: " + out() + "\n  stderr: " + stderr;
        }
    }

    private Podman() {
    }

    public static Result run(List<String> args, long timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(EXECUTABLE);
        command.addAll(args);
        Process p;
        try {
            // conmon leaves an empty file "oom" in its working directory after an OOM kill: keep it in target/.
            Path cwd = Path.of(TestPaths.property("sandboxrun.test.work"));
            java.nio.file.Files.createDirectories(cwd);
            p = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("The container runtime cannot start: podman is not installed or not runnable ("
                    + e.getMessage() + "): " + INSTALL_HINT + ". These tests fail rather than pass without it.", e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("podman did not finish in " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS),
                    new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError("reading podman's output: " + e, e);
        }
    }

    /** Runs podman and fails the test, with what podman said, when it does not exit 0. */
    public static Result ok(List<String> args, long timeoutSeconds) {
        Result r = run(args, timeoutSeconds);
        if (r.exitCode() != 0) {
            throw new AssertionError("The container runtime failed (" + INSTALL_HINT + "):\n"
                    + r.describe(prefixed(args)));
        }
        return r;
    }

    public static List<String> prefixed(List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(EXECUTABLE);
        c.addAll(args);
        return c;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
