package dev.sandboxrun.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kubectl's options (-n, --context, --kubeconfig) on every cluster verb, and cluster errors that
 * come at once and say the server and the cause in words, never a Java exception's name.
 */
class ClusterOptionsTest {
    /** Generous: Fabric8's default retries took about 20 s; one attempt takes well under a second here. */
    private static final long FAST_MS = 10_000;

    @TempDir
    Path tmp;

    private Path kubeconfig(String server) throws Exception {
        Path f = tmp.resolve("config");
        Files.writeString(f, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "%s"}
                contexts:
                - name: ctx
                  context: {cluster: c, user: u, namespace: team}
                - name: other
                  context: {cluster: c, user: u}
                current-context: ctx
                users:
                - name: u
                  user: {token: t}
                """.formatted(server));
        return f;
    }

    private static void assertPlain(Cli c) {
        assertFalse(c.stderr().matches("(?s).*[A-Z][A-Za-z]+(Exception|Error)\\b.*"), c.stderr());
    }

    @Test
    void anUnresolvableServerFailsAtOnceAndSaysSo() throws Exception {
        Path cfg = kubeconfig("https://no-such-host.invalid:6443");
        for (String verb : new String[]{"get", "logs"}) {
            long t0 = System.nanoTime();
            Cli c = Cli.runAgainstKubeconfig(verb, "x", "--kubeconfig", cfg.toString(), "--context", "other", "-n", "ns");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
            assertTrue(ms < FAST_MS, verb + " took " + ms + " ms");
            assertTrue(c.stderr().contains("https://no-such-host.invalid:6443"), c.stderr());
            assertTrue(c.stderr().contains("host name does not resolve"), c.stderr());
            assertPlain(c);
        }
    }

    @Test
    void aRefusedConnectionSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();   // closed again: nothing listens there now
        }
        Path cfg = kubeconfig("https://127.0.0.1:" + port);
        long t0 = System.nanoTime();
        Cli c = Cli.runAgainstKubeconfig("get", "x", "--kubeconfig", cfg.toString());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < FAST_MS);
        assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("cannot reach the API server at https://127.0.0.1:" + port), c.stderr());
        assertTrue(c.stderr().contains("connection refused"), c.stderr());
        assertPlain(c);
    }

    @Test
    void anUnknownContextOrKubeconfigIsNamed() throws Exception {
        Path cfg = kubeconfig("https://127.0.0.1:1");
        Cli c = Cli.runAgainstKubeconfig("get", "x", "--kubeconfig", cfg.toString(), "--context", "nope");
        assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("--context nope: no such context"), c.stderr());

        c = Cli.runAgainstKubeconfig("get", "x", "--kubeconfig", tmp.resolve("missing").toString());
        assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("no such readable file"), c.stderr());
    }

    @Test
    void submitTakesTheSameOptions() throws Exception {
        Path cfg = kubeconfig("https://no-such-host.invalid:6443");
        Cli.buildExamples();
        Cli c = Cli.runAgainstKubeconfig("submit", "--kubeconfig", cfg.toString(), "--context", "ctx", "-n", "team",
                Cli.EXAMPLES.resolve("hello/hello").toString());
        assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("no-such-host.invalid"), c.stderr());
        assertPlain(c);
    }

    @Test
    void submitNamesSourceCodeBeforeContactingTheCluster() throws Exception {
        Path cfg = kubeconfig("https://no-such-host.invalid:6443");
        Cli c = Cli.runAgainstKubeconfig("submit", "--kubeconfig", cfg.toString(),
                Cli.EXAMPLES.resolve("hello/hello.c").toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("is C source, not a program"), c.stderr());
    }
}
