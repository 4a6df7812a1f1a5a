package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.ImageRef;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.sandboxrun.operator.cluster.StreamingMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a real cluster does that the plain mock hid (issue 9 §2), on the strict test cluster: slow
 * pulls, images that cannot be pulled, volumes that cannot be mounted, pods no node takes, names and
 * stdin at the CRD's limits, API refusals, a run re-created under the same name, logs that cannot
 * be read, an OOM under cgroup v2, log rotation. Each test failed on the operator before its fix.
 * The API server streams follow reads of pod logs ({@link StreamingMockServer}), as a real one does.
 */
class ClusterFailuresTest {
    static final String NS = "cluster";
    static final String LAUNCHER_IMAGE = "ghcr.io/sandboxrun/launcher:0.1.0";
    static final Duration START_TIMEOUT = Duration.ofSeconds(10); // room for the run behind an unschedulable one on a loaded machine
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static PlainOperator operator;
    static KubernetesClient operatorClient;

    Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        server = StreamingMockServer.start();
        client = server.createClient();
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        new Runs(client, NS).program("behave-bin", TestPrograms.program("behave"));
        new Runs(client, NS).program("greet-bin", TestPrograms.program("greet"));
        // The operator's own client retries a 5xx answer 3 times, not Fabric8's default 10 (about
        // 20 s per request): the refusals below reach the operator's own bound in seconds.
        operatorClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(3).build()).build();
        operator = PlainOperator.start(operatorClient, Map.of(
                "sandboxrun.launcher.deadline-grace", "1s",
                "sandboxrun.start-timeout", START_TIMEOUT.toSeconds() + "s",
                "sandboxrun.max-concurrent-pods", "1",
                "sandboxrun.source-wait-timeout", "30s"), 2);
    }

    @AfterAll
    static void tearDown() {
        operator.close();
        operatorClient.close();
        node.close();
        client.close();
        server.destroy();
    }

    @AfterEach
    void noSlowPulls() {
        node.pullTime(LAUNCHER_IMAGE, Duration.ZERO);
    }

    static SandboxRunSpec wall(SandboxRunSpec spec, String wall) {
        return Runs.withLimits(spec, l -> l.setWallClock(wall));
    }

    @Test
    void pullTimeIsNotTheProgramsTime() {
        // The pod's deadline counts from admission, before the pull: wall 1 s + grace 1 s used to
        // end this run as WallTimeLimitExceeded while the image was still being pulled.
        node.pullTime(LAUNCHER_IMAGE, Duration.ofSeconds(4));
        runs.apply("slow-pull", wall(Runs.spec("behave-bin", "exit", "0"), "1s"));
        SandboxRunStatus s = runs.awaitFinished("slow-pull");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals("exit 0\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    @Test
    void anImageThatCannotBePulledFailsNamingItWithinTheStartTimeout() {
        SandboxRunSpec spec = wall(new SandboxRunSpec(), "1s");
        spec.setProgram(new ProgramSource());
        spec.getProgram().setImage(new ImageRef("registry.example/missing:1.0", "/bin/prog"));
        node.missingImage("registry.example/missing:1.0");
        long t0 = System.nanoTime();
        runs.apply("no-image", spec);
        SandboxRunStatus s = runs.awaitFinished("no-image", Duration.ofSeconds(40));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertEquals(Phase.Failed, s.getPhase());
        assertTrue(s.getMessage().contains("registry.example/missing:1.0"), s.getMessage());
        assertTrue(s.getMessage().contains("ImagePullBackOff") || s.getMessage().contains("ErrImagePull"),
                s.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(START_TIMEOUT.minusSeconds(1)) >= 0,
                "waited the start timeout");
    }

    @Test
    void aVolumeThatCannotBeMountedFailsNamingItWithinTheStartTimeout() {
        runs.program("vanishing-bin", TestPrograms.program("behave"));
        node.pullTime(LAUNCHER_IMAGE, Duration.ofSeconds(4)); // the ConfigMap goes while the image is pulled
        runs.apply("no-volume", wall(Runs.spec("vanishing-bin", "exit", "0"), "1s"));
        String pod = awaitPod("no-volume");
        // The program's ConfigMap goes after the pod was created, before the kubelet mounts it.
        client.configMaps().inNamespace(NS).withName("vanishing-bin").delete();
        SandboxRunStatus s = runs.awaitFinished("no-volume", Duration.ofSeconds(40));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("volume \"program\""), s.getMessage());
        assertTrue(s.getMessage().contains("vanishing-bin"), s.getMessage());
        assertNull(node.runs.get(pod), "the program never ran");
    }

    @Test
    void anUnschedulableRunFailsWithTheSchedulersReasonAndDoesNotHoldTheQueue() {
        SandboxRunSpec spec = Runs.spec("behave-bin", "exit", "0");
        Placement p = new Placement();
        p.setNodeSelector(Map.of("disktype", "ssd"));
        spec.setPlacement(p);
        runs.apply("nowhere", spec);
        awaitPod("nowhere");
        // One pod at a time (max-concurrent-pods=1): a pod no node takes must not hold the slot.
        runs.apply("behind", Runs.spec("behave-bin", "exit", "0"));
        SandboxRunStatus behind = runs.awaitFinished("behind", Duration.ofSeconds(30));
        assertEquals(Verdict.Completed, behind.getVerdict(), behind.getMessage());
        assertFalse(runs.get("nowhere").getStatus().isFinished(), "finished before the run behind it");
        SandboxRunStatus s = runs.awaitFinished("nowhere", Duration.ofSeconds(40));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("Unschedulable") && s.getMessage().contains("0/1 nodes are available"),
                s.getMessage());
    }

    @Test
    void aRunOfTheLongestNameWithTheLargestStdinMakesAValidPod() {
        String name = ("long-" + "n".repeat(300)).substring(0, 253);
        String text = "0123456789abcdef".repeat(262144 / 16); // the CRD's maxLength
        runs.apply(name, Runs.withLimits(Runs.withStdin(Runs.spec("greet-bin"), text), l -> l.setStdout("1Mi")));
        SandboxRunStatus s = runs.awaitFinished(name, Duration.ofSeconds(60));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals("hello\n" + text, new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    @Test
    void aPodTheApiServerRefusesEndsTheRunWithTheServersMessage() {
        String ns = "refused";
        Runs refused = new Runs(client, ns);
        refused.program("behave-bin", TestPrograms.program("behave"));
        server.expect().post().withPath("/api/v1/namespaces/" + ns + "/pods").andReturn(422, new StatusBuilder()
                .withStatus("Failure").withCode(422).withReason("Invalid")
                .withMessage("Pod \"x\" is invalid: injected: refused by an admission policy").build()).always();
        refused.apply("invalid", Runs.spec("behave-bin", "exit", "0"));
        SandboxRunStatus s = refused.awaitFinished("invalid", Duration.ofSeconds(30));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("refused by an admission policy"), s.getMessage());
    }

    @Test
    void aServerErrorThatLastsEndsTheRunAfterBoundedRetries() {
        String ns = "broken";
        Runs broken = new Runs(client, ns);
        broken.program("behave-bin", TestPrograms.program("behave"));
        server.expect().post().withPath("/api/v1/namespaces/" + ns + "/pods").andReturn(500, new StatusBuilder()
                .withStatus("Failure").withCode(500).withReason("InternalError")
                .withMessage("injected: etcdserver: leader changed").build()).always();
        broken.apply("down", Runs.spec("behave-bin", "exit", "0"));
        SandboxRunStatus s = broken.awaitFinished("down", Duration.ofSeconds(90));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("leader changed"), s.getMessage());
    }

    @Test
    void aRecreatedRunNeverReadsTheOldRunsPod() {
        runs.apply("again", Runs.spec("behave-bin", "sleep", "2500"));
        String oldPod = awaitPod("again");
        await().atMost(Duration.ofSeconds(30)).until(() -> node.started.contains(NS + "/" + oldPod));
        // kubectl replace --force: delete, and create the same name at once. The garbage collector
        // removes the old pod only seconds later.
        client.resources(SandboxRun.class).inNamespace(NS).withName("again").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get("again") == null);
        runs.apply("again", Runs.spec("behave-bin", "exit", "5"));
        SandboxRunStatus s = runs.awaitFinished("again", Duration.ofSeconds(60));
        assertEquals(Verdict.NonZeroExit, s.getVerdict(), s.getMessage());
        assertEquals(5, s.getExitCode());
        assertEquals("exit 5\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    @Test
    void aKnownVerdictIsKeptWhenTheLogCannotBeRead() {
        node.logsUnreachable("unreadable-");
        runs.apply("unreadable", Runs.spec("behave-bin", "exit", "3"));
        SandboxRunStatus s = runs.awaitFinished("unreadable", Duration.ofSeconds(90));
        assertEquals(Verdict.NonZeroExit, s.getVerdict(), s.getMessage());
        assertEquals(3, s.getExitCode());
        assertEquals(1, s.getAttempts());
        assertFalse(s.getStdout().getComplete());
        assertEquals(7, s.getStdout().getBytes(), "the launcher's count stands");
        assertTrue(s.getMessage().contains("could not be read"), s.getMessage());
        assertEquals(1, node.runs.get(runs.pod("unreadable", 1)), "never run again");
    }

    @Test
    void aRunWhoseNodeIsLostIsRunAgainElsewhereNeverGivenAProgramVerdict() {
        // The node dies under the running pod: no status comes from it any more, its log cannot be
        // read, and PodGC fails and deletes the pod. That is the cluster's doing: the run is tried
        // again (retries: 1) and finishes with the second attempt's own result.
        var spec = Runs.spec("behave-bin", "sleep", "4000");
        spec.setRetries(1);
        runs.apply("lostnode", wall(spec, "30s"));
        String first = runs.pod("lostnode", 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> node.started.contains(NS + "/" + first));
        node.loseNodeOf(first, Duration.ofSeconds(2));
        SandboxRunStatus s = runs.awaitFinished("lostnode", Duration.ofSeconds(90));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(2, s.getAttempts(), s.getMessage());
        assertEquals("slept\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals(1, node.runs.get(first), "the lost pod ran once");
        assertEquals(1, node.runs.get(runs.pod("lostnode", 2)), "the second attempt ran once");
    }

    @Test
    void anOomUnderCgroupV2IsMemoryLimitExceededWithTheStdoutSoFar() {
        // The launcher passes a partial block on after a second of quiet (its frames); the kill
        // comes after three.
        node.oomKill("oomv2-", Duration.ofMillis(3000));
        var spec = Runs.spec("behave-bin", "chat", "3", "20000");
        spec.setRetries(2);
        runs.apply("oomv2", wall(spec, "30s"));
        SandboxRunStatus s = runs.awaitFinished("oomv2", Duration.ofSeconds(40));
        assertEquals(Verdict.MemoryLimitExceeded, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("OOMKilled"), s.getMessage());
        assertEquals(1, s.getAttempts(), "a program's verdict is not retried");
        assertFalse(s.getStdout().getComplete());
        byte[] stored = runs.storedStdout(s);
        assertEquals("line 0\nline 1\nline 2\n", new String(stored, StandardCharsets.UTF_8));
        assertEquals(StdoutStore.sha256(stored), s.getStdout().getSha256());
    }

    @Test
    void stdoutOfEmptyLinesSurvivesRotationsWhileFollowedAndDoesNotGetThePodEvicted() {
        // 8 MiB of empty lines over about 8 s, with containerLogMaxSize 1 MiB checked every 200 ms:
        // the log is rotated about ten times while the program writes; the operator follows it and
        // keeps every byte, and the framed log stays within the pod's ephemeral storage (raw, these
        // lines took 41 bytes of log each: 344 MB, an eviction). A follow read more than one file
        // behind skips the files between (the kubelet re-opens the newest): the program's pace
        // keeps this one within a file, as containerLogMaxSize 10 MiB does on a node, where 8 MiB
        // of framed stdout (11.4 MB of log) is rotated once at most.
        node.logRotation(1 << 20, Duration.ofMillis(200));
        try {
            int size = 8 << 20;
            long t0 = System.nanoTime();
            runs.apply("rotated", Runs.withLimits(wall(Runs.spec("behave-bin", "drip", String.valueOf(size), "60",
                    "nl"), "60s"), l -> l.setStdout("8Mi")));
            SandboxRunStatus s = runs.awaitFinished("rotated", Duration.ofSeconds(90));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
            assertTrue(s.getStdout().getComplete(), s.getMessage());
            byte[] expected = new byte[size];
            java.util.Arrays.fill(expected, (byte) '\n');
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, runs.storedStdout(s));
            String pod = runs.pod("rotated", 1);
            int rotations = node.logRotations(NS, pod);
            assertTrue(rotations >= 3, "rotated " + rotations + " times");
            long onDisk = node.logBytesOnDisk(NS, pod);
            System.out.printf("8 MiB of empty lines: %d rotations, %d bytes of log (%.3f per stdout byte), run "
                    + "applied to finished in %d ms (launcher %d ms, paced at 64 KiB per 60 ms)%n", rotations, onDisk,
                    (double) onDisk / size, tookMs, node.launcherNanos.get(NS + "/" + pod) / 1_000_000);
            assertTrue(onDisk < 1.4 * size, "framed log " + onDisk + " bytes");
        } finally {
            node.logRotation(dev.sandboxrun.operator.cluster.CriLog.DEFAULT_MAX_SIZE, Duration.ofSeconds(10));
        }
    }

    private String awaitPod(String run) {
        await(run + " has its pod").atMost(Duration.ofSeconds(30)).until(() -> {
            SandboxRun r = runs.get(run);
            return r != null && r.getStatus() != null && r.getStatus().getPodName() != null;
        });
        return runs.get(run).getStatus().getPodName();
    }
}
