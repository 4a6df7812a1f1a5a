package dev.sandboxrun.operator;

import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramUpload;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The key scenarios on a REAL cluster: runs only when KUBECONFIG names a reachable cluster and
 * -Dsandboxrun-test.launcher-image (or SANDBOXRUN_TEST_LAUNCHER_IMAGE) names a launcher image its
 * nodes can pull; otherwise every test is SKIPPED with the reason (a JUnit assumption, reported as
 * skipped, never as passed). The operator runs in this JVM (as with `mvn quarkus:dev`); the CRD from
 * crds/ is applied; each run goes to a fresh namespace, deleted afterwards. scripts/real-cluster-test
 * runs it on a kind cluster it creates (docs/real-cluster-test.md).
 */
class RealClusterTest {
    static KubernetesClient client;
    static PlainOperator operator;
    static Map<String, String> operatorConfig;
    static String ns;
    static Runs runs;
    /** Why the suite cannot run here, or null; each test is then skipped with it (visible in reports). */
    static String skipped;

    @BeforeEach
    void onlyOnARealCluster() {
        assumeTrue(skipped == null, skipped);
    }

    @BeforeAll
    static void cluster() throws Exception {
        try {
            connect();
        } catch (org.opentest4j.TestAbortedException e) {
            skipped = e.getMessage().replaceFirst("^Assumption failed: ", "");
            System.out.println(skipped);
        }
    }

    private static void connect() throws Exception {
        String kubeconfig = System.getenv("KUBECONFIG");
        assumeTrue(kubeconfig != null && !kubeconfig.isBlank(),
                "real-cluster suite skipped: KUBECONFIG is not set");
        assumeTrue(Files.isReadable(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0])),
                "real-cluster suite skipped: KUBECONFIG " + kubeconfig + " is not a readable file");
        String image = System.getProperty("sandboxrun-test.launcher-image",
                System.getenv("SANDBOXRUN_TEST_LAUNCHER_IMAGE"));
        assumeTrue(image != null && !image.isBlank(), "real-cluster suite skipped: no launcher image "
                + "(-Dsandboxrun-test.launcher-image=... or SANDBOXRUN_TEST_LAUNCHER_IMAGE)");
        KubernetesClient c = new KubernetesClientBuilder().build();
        String version;
        try {
            version = c.getKubernetesVersion().getGitVersion();
        } catch (RuntimeException e) {
            c.close();
            assumeTrue(false, "real-cluster suite skipped: the cluster of KUBECONFIG is not reachable: " + e);
            return;
        }
        System.out.println("real-cluster suite on Kubernetes " + version);
        client = c;
        client.apiextensions().v1().customResourceDefinitions().load(Path.of(System.getProperty(
                "sandboxrun-test.crds", "../crds"), "sandboxruns.sandboxrun.dev-v1.yml").toFile())
                .createOr(o -> o.update());
        ns = "sandboxrun-it-" + Long.toHexString(System.currentTimeMillis());
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        runs = new Runs(client, ns);
        runs.program("behave-bin", TestPrograms.program("behave"));
        operatorConfig = Map.of("sandboxrun.launcher.image", image,
                "sandboxrun.launcher.image-pull-policy", "IfNotPresent");
        operator = PlainOperator.start(client, operatorConfig, 4);
    }

    @AfterAll
    static void cleanUp() {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            if (ns != null) {
                client.namespaces().withName(ns).delete();
            }
            client.close();
        }
    }

    private SandboxRunStatus finished(String name) {
        return runs.awaitFinished(name, Duration.ofMinutes(3));
    }

    @Test
    void completedWithExactStdout() {
        runs.apply("hello", Runs.withStdin(Runs.spec("behave-bin", "exit", "0"), "ignored\n"));
        SandboxRunStatus s = finished("hello");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals("exit 0\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    @Test
    void binaryStdoutRoundTrips() {
        runs.apply("binary", Runs.spec("behave-bin", "binary"));
        SandboxRunStatus s = finished("binary");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals(260, runs.storedStdout(s).length);
    }

    @Test
    void largeStdoutInChunks() {
        int size = 3 * 1024 * 1024;
        runs.apply("large", Runs.withLimits(Runs.spec("behave-bin", "big", String.valueOf(size)),
                l -> l.setStdout("4Mi")));
        SandboxRunStatus s = finished("large");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertArrayEquals(EndToEndTest.big(size), runs.storedStdout(s));
    }

    @Test
    void programVerdictsAreNotRetried() {
        var spec = Runs.spec("behave-bin", "exit", "3");
        spec.setRetries(2);
        runs.apply("nonzero", spec);
        SandboxRunStatus s = finished("nonzero");
        assertEquals(Verdict.NonZeroExit, s.getVerdict(), s.getMessage());
        assertEquals(1, s.getAttempts());
        runs.apply("syscall", Runs.spec("behave-bin", "socket"));
        assertEquals(Verdict.SyscallViolation, finished("syscall").getVerdict());
        runs.apply("memory", Runs.withLimits(Runs.spec("behave-bin", "memory", "256"), l -> l.setMemory("32Mi")));
        assertEquals(Verdict.MemoryLimitExceeded, finished("memory").getVerdict());
    }

    @Test
    void aPodDeletedMidRunIsRetried() {
        var spec = Runs.spec("behave-bin", "sleep", "20000");
        spec.setRetries(1);
        Runs.withLimits(spec, l -> l.setWallClock("60s"));
        runs.apply("deleted", spec);
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            var p = client.pods().inNamespace(ns).withName(runs.pod("deleted", 1)).get();
            return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
        });
        client.pods().inNamespace(ns).withName(runs.pod("deleted", 1)).delete();
        SandboxRunStatus s = finished("deleted");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(2, s.getAttempts());
    }

    @Test
    void aProgramInPartsRunsWithItsDigestInStatus() throws Exception {
        // The C++ program (about 2.2 MB, over what one ConfigMap holds) uploaded as the CLI does:
        // the run first, then its parts through ProgramUpload, owned by the run.
        byte[] program = Files.readAllBytes(TestPrograms.cpp("hello-cpp"));
        assertTrue(program.length > 1024 * 1024, "the C++ program is " + program.length + " bytes");
        String sha = StdoutLayout.sha256(program);
        List<byte[]> parts = ProgramLayout.split(program);
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramLayout.source(sha, parts.size()));
        spec.setArgs(List.of("a", "b", "a"));
        SandboxRun run = runs.apply("parts", spec);
        assertEquals(parts.size(), ProgramUpload.upload(client, run, sha, parts).parts());
        SandboxRunStatus s = finished("parts");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals("hello from C++: 2 distinct words\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertEquals(sha, s.getProgramSha256());
    }

    @Test
    void eightMiBOfEmptyLinesAreKeptWhileTheLogIsFollowed() {
        // Empty lines cost the most log per stdout byte (a CRI log line each, unframed): the
        // launcher's frames keep the pod's log small and the operator, following it, stores every
        // byte. Paced (64 KiB per 60 ms, about 8 s) so the run is followed while it writes.
        int size = 8 << 20;
        var spec = Runs.withLimits(Runs.spec("behave-bin", "drip", String.valueOf(size), "60", "nl"), l -> {
            l.setStdout("8Mi");
            l.setWallClock("120s");
        });
        runs.apply("empty-lines", spec);
        SandboxRunStatus s = finished("empty-lines");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        byte[] expected = new byte[size];
        Arrays.fill(expected, (byte) '\n');
        byte[] stored = runs.storedStdout(s);
        assertEquals(size, stored.length);
        assertArrayEquals(expected, stored);
        assertEquals(StdoutLayout.sha256(expected), s.getStdout().getSha256());
    }

    @Test
    void aVerdictIsKeptWhenItsPodIsGoneAndTheOperatorRestarts() {
        runs.apply("kept", Runs.spec("behave-bin", "exit", "3"));
        SandboxRunStatus before = finished("kept");
        assertEquals(Verdict.NonZeroExit, before.getVerdict(), before.getMessage());
        // The operator deletes a finished run's pod; that deletion (like one by anyone else, made
        // here too in case the operator's is late) must not read as a pod lost mid-run.
        String pod = before.getPodName();
        client.pods().inNamespace(ns).withName(pod).delete();
        await("pod " + pod + " gone").atMost(Duration.ofMinutes(1))
                .until(() -> client.pods().inNamespace(ns).withName(pod).get() == null);
        // A restarted operator sees the finished run again, without its pod.
        operator.close();
        operator = PlainOperator.start(client, operatorConfig, 4);
        // A run applied after both and finished: the restarted operator was handed "kept" when it
        // started, before this run existed, so a retry it started for "kept" would show by now.
        runs.apply("kept-after", Runs.spec("behave-bin", "exit", "0"));
        assertEquals(Verdict.Completed, finished("kept-after").getVerdict());
        SandboxRunStatus after = runs.get("kept").getStatus();
        assertEquals(Verdict.NonZeroExit, after.getVerdict(), after.getMessage());
        assertEquals(before.getExitCode(), after.getExitCode());
        assertEquals(1, after.getAttempts());
        assertEquals(before.getCompletionTime(), after.getCompletionTime());
    }
}
