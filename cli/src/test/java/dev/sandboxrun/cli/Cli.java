package dev.sandboxrun.cli;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Runs the CLI in this JVM and keeps what it wrote. */
public record Cli(int rc, byte[] stdout, String stderr) {
    public static final Path REPO = Path.of(System.getProperty("sandboxrun.repo", "..")).toAbsolutePath().normalize();
    public static final Path EXAMPLES = REPO.resolve("examples");

    public static Cli run(String... args) {
        return run(() -> {
            throw new IllegalStateException("no cluster in this test");
        }, args);
    }

    public static Cli run(Supplier<KubernetesClient> clients, String... args) {
        return run(o -> clients.get(), args);
    }

    /** With the CLI's own way to a cluster (kubeconfig, --context, --kubeconfig). */
    public static Cli runAgainstKubeconfig(String... args) {
        return run(dev.sandboxrun.cli.cluster.Connection::open, args);
    }

    public static Cli run(java.util.function.Function<dev.sandboxrun.cli.cluster.ClusterOptions, KubernetesClient> clients,
                          String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new Main(out, new PrintStream(err, true, StandardCharsets.UTF_8), clients, null), args);
        Cli c = new Cli(rc, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        assertFalse(c.stderr.contains("\tat "), () -> "a stack trace on stderr:\n" + c.stderr);
        return c;
    }

    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Builds the example programs once (make is incremental). */
    public static void buildExamples() throws Exception {
        Process p = new ProcessBuilder("make", "-s", "--no-print-directory", "-C", EXAMPLES.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("make -C examples failed:\n" + log);
        }
    }
}
