package dev.sandboxrun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real command line run by bash, as a user types it: its exit status, stdout and stderr. */
public record Shell(int rc, String out, String err) {
    /** The packaged jar, which the ./sandboxrun script runs when SANDBOXRUN_JAR names it (no build). */
    public static final Path JAR = Path.of(System.getProperty("sandboxrun.jar", "target/sandboxrun.jar")).toAbsolutePath();

    public static Shell run(String script) throws Exception {
        return run(Cli.REPO, script, Map.of("SANDBOXRUN_JAR", JAR.toString()));
    }

    public static Shell run(Path dir, String script, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile("shell-out", ".txt");
        Path err = Files.createTempFile("shell-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("still running after 240 s: " + script);
            }
            return new Shell(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    @Override
    public String toString() {
        return "rc=" + rc + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
    }
}
