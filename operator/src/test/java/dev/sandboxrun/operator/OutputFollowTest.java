package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.cluster.CriLog;
import dev.sandboxrun.operator.cluster.StreamingMockServer;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stdout survives the kubelet (issue 9): the operator follows each pod's log while it runs, on a
 * test cluster whose API server streams follow reads ({@link StreamingMockServer}) from CRI log
 * files that are rotated ({@link CriLog}). Every test checks the stored bytes and
 * status.stdout.complete.
 */
class OutputFollowTest {
    static final String NS = "output";
    static final Map<String, String> CONFIG = Map.of("sandboxrun.launcher.deadline-grace", "1s");
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    /** The operator's client retries a 5xx answer 3 times (not Fabric8's 10, about 20 s a request). */
    static KubernetesClient operatorClient;
    PlainOperator operator;
    final Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        server = StreamingMockServer.start();
        client = server.createClient();
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        new Runs(client, NS).program("behave-bin", TestPrograms.program("behave"));
        operatorClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(3).build()).build();
    }

    @AfterAll
    static void tearDown() {
        node.close();
        operatorClient.close();
        client.close();
        server.destroy();
    }

    @AfterEach
    void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        node.logRotation(CriLog.DEFAULT_MAX_SIZE, Duration.ofSeconds(10));
    }

    @Test
    void randomBinaryOutputComesBackByteForByte() {
        operator = PlainOperator.start(operatorClient, CONFIG, 2);
        int size = 8 << 20;
        long t0 = System.nanoTime();
        runs.apply("random", Runs.withLimits(Runs.spec("behave-bin", "big", String.valueOf(size)),
                l -> l.setStdout("8Mi")));
        SandboxRunStatus s = runs.awaitFinished("random", Duration.ofSeconds(60));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertArrayEquals(EndToEndTest.big(size), runs.storedStdout(s));
        String pod = runs.pod("random", 1);
        System.out.printf("8 MiB of random bytes: %d bytes of log (%.3f per stdout byte), applied to finished in "
                + "%d ms, the launcher %d ms of it%n", node.logBytesOnDisk(NS, pod),
                (double) node.logBytesOnDisk(NS, pod) / size, tookMs, node.launcherNanos.get(NS + "/" + pod) / 1_000_000);
    }

    @Test
    void outputEndingWithoutANewlineAndWithCrLfIsKeptExactly() {
        // "binary": every byte value (13 then 10 among them: CR LF, which containerd turns into LF
        // in raw logs), ending with a NUL and no newline (a P line in a raw log).
        operator = PlainOperator.start(operatorClient, CONFIG, 2);
        runs.apply("binary", Runs.spec("behave-bin", "binary"));
        SandboxRunStatus s = runs.awaitFinished("binary");
        byte[] expected = new byte[260];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        expected[256] = (byte) 0xC3;
        expected[257] = 0x28;
        expected[258] = (byte) 0xFF;
        expected[259] = 0;
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertArrayEquals(expected, runs.storedStdout(s));
    }

    @Test
    void anOperatorRestartedMidOutputWithRotationsBetweenNamesWhatWasLost() {
        // 8 MiB written 64 KiB every 60 ms (about 8 s); the log rotated at 1 MiB every 200 ms. The
        // operator stops 2 s in and a new one starts 2 s later, while the program still writes: the
        // rotations in between took bytes no follow read saw, unless the new one caught them all.
        node.logRotation(1 << 20, Duration.ofMillis(200));
        operator = PlainOperator.start(operatorClient, CONFIG, 2);
        int size = 8 << 20;
        runs.apply("restart", Runs.withLimits(Runs.withLimits(Runs.spec("behave-bin", "drip", String.valueOf(size),
                "60"), l -> l.setStdout("8Mi")), l -> l.setWallClock("60s")));
        await().atMost(Duration.ofSeconds(30)).until(() -> node.started.contains(NS + "/" + runs.pod("restart", 1)));
        sleep(2000);
        operator.close();
        sleep(2000);
        operator = PlainOperator.start(operatorClient, CONFIG, 2);
        SandboxRunStatus s = runs.awaitFinished("restart", Duration.ofSeconds(90));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(size, s.getStdout().getBytes());
        assertTrue(node.logRotations(NS, runs.pod("restart", 1)) >= 2);
        byte[] stored = runs.storedStdout(s);
        byte[] expected = EndToEndTest.big(size);
        if (s.getStdout().getComplete()) {
            assertArrayEquals(expected, stored, "complete: every byte");
        } else {
            Matcher m = Pattern.compile("bytes (\\d+) to (\\d+) of " + size + " were not in pod").matcher(s.getMessage());
            assertTrue(m.find(), s.getMessage());
            long from = Long.parseLong(m.group(1));
            assertEquals(stored.length, from, "the bytes before the gap are kept, nothing else");
            assertTrue(Long.parseLong(m.group(2)) >= from);
            assertTrue(s.getMessage().contains("rotated"), s.getMessage());
            assertArrayEquals(Arrays.copyOf(expected, stored.length), stored);
        }
        System.out.printf("operator restarted mid-output: complete=%s, %d of %d bytes kept%n",
                s.getStdout().getComplete(), stored.length, size);
    }

    @Test
    void aNodeLostMidFollowKeepsTheVerdictAndTheBytesReadBefore() {
        operator = PlainOperator.start(operatorClient, CONFIG, 2);
        int size = 4 << 20;
        runs.apply("lost", Runs.withLimits(Runs.spec("behave-bin", "drip", String.valueOf(size), "40"),
                l -> l.setStdout("8Mi")));
        await().atMost(Duration.ofSeconds(30)).until(() -> node.started.contains(NS + "/" + runs.pod("lost", 1)));
        sleep(800);
        // The kubelet can no longer be reached: open follow reads break, new ones fail. The
        // launcher's result still reaches the pod's status.
        node.logsUnreachable("lost-");
        SandboxRunStatus s = runs.awaitFinished("lost", Duration.ofSeconds(120));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(size, s.getStdout().getBytes(), "the launcher's count stands");
        assertFalse(s.getStdout().getComplete(), s.getMessage());
        assertTrue(s.getMessage().contains("could not be read"), s.getMessage());
        byte[] stored = runs.storedStdout(s);
        assertTrue(stored.length < size);
        assertArrayEquals(Arrays.copyOf(EndToEndTest.big(size), stored.length), stored);
        assertTrue(s.getMessage().contains("bytes " + stored.length + " to " + (size - 1)), s.getMessage());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
