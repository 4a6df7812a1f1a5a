package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on the mock API server: the pod deleted or evicted mid-run (a new attempt, up to
 * spec.retries), OOMKilled without a result, and 409 conflicts and 500 errors from the API.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class FaultsTest {
    static final String NS = "faults";
    static SimulatedNode node;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    Runs runs;

    @BeforeEach
    void startNode() throws Exception {
        if (node == null) {
            node = new SimulatedNode(client, server.getKubernetesMockServer()).start();
        }
        runs = new Runs(client, NS);
        runs.program("behave-bin", TestPrograms.program("behave"));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private void awaitStarted(String ns, String pod) {
        await(pod + " running").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> node.started.contains(ns + "/" + pod));
    }

    /** Pods this node ran for the run, by name, with how many times each. */
    private static Map<String, Integer> ranFor(String run) {
        return node.runs.entrySet().stream().filter(e -> e.getKey().startsWith(run + "-run-"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void aPodDeletedMidRunIsRetriedAsANewAttempt() {
        var spec = Runs.spec("behave-bin", "sleep", "1500");
        spec.setRetries(1);
        runs.apply("deleted", spec);
        awaitStarted(NS, runs.pod("deleted", 1));
        client.pods().inNamespace(NS).withName(runs.pod("deleted", 1)).delete();
        SandboxRunStatus s = runs.awaitFinished("deleted");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(2, s.getAttempts());
        assertEquals(runs.pod("deleted", 2), s.getPodName());
        assertEquals("slept\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertEquals(Map.of(runs.pod("deleted", 1), 1, runs.pod("deleted", 2), 1), ranFor("deleted"));
    }

    @Test
    void aPodDeletedMidRunWithNoRetriesLeftIsAnInfrastructureFailure() {
        runs.apply("gone", Runs.spec("behave-bin", "sleep", "5000"));
        awaitStarted(NS, runs.pod("gone", 1));
        client.pods().inNamespace(NS).withName(runs.pod("gone", 1)).delete();
        SandboxRunStatus s = runs.awaitFinished("gone");
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertEquals(Phase.Failed, s.getPhase());
        assertEquals(1, s.getAttempts());
        assertEquals(Map.of(runs.pod("gone", 1), 1), ranFor("gone"));
    }

    @Test
    void anEvictedPodIsRetriedAndItsCancelledLaunchErrorIsNotTheVerdict() {
        var spec = Runs.spec("behave-bin", "sleep", "1500");
        spec.setRetries(2);
        runs.apply("evicted", spec);
        awaitStarted(NS, runs.pod("evicted", 1));
        node.evict(NS, runs.pod("evicted", 1));
        SandboxRunStatus s = runs.awaitFinished("evicted");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals(2, s.getAttempts());
        assertEquals(Map.of(runs.pod("evicted", 1), 1, runs.pod("evicted", 2), 1), ranFor("evicted"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.pods().inNamespace(NS).withName(runs.pod("evicted", 1)).get() == null);
        assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
                .anyMatch(e -> "evicted".equals(e.getInvolvedObject().getName()) && "Retrying".equals(e.getReason())));
    }

    @Test
    void anEvictionOnTheLastAttemptIsAnInfrastructureFailure() {
        runs.apply("evicted-last", Runs.spec("behave-bin", "sleep", "5000"));
        awaitStarted(NS, runs.pod("evicted-last", 1));
        node.evict(NS, runs.pod("evicted-last", 1));
        SandboxRunStatus s = runs.awaitFinished("evicted-last");
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("Evicted"), s.getMessage());
    }

    @Test
    void anOomKilledContainerWithoutAResultIsMemoryLimitExceededAndNotRetried() {
        node.oomKill("oom-run-", Duration.ofMillis(300));
        var spec = Runs.spec("behave-bin", "sleep", "20000");
        spec.setRetries(2);
        runs.apply("oom", spec);
        SandboxRunStatus s = runs.awaitFinished("oom");
        assertEquals(Verdict.MemoryLimitExceeded, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("OOMKilled"), s.getMessage());
        assertEquals(1, s.getAttempts());
        assertEquals(Map.of(runs.pod("oom", 1), 1), ranFor("oom"));
    }

    @Test
    void conflictsAndServerErrorsFromTheApiEndEventuallyConsistentWithOnePod() {
        String ns = "flaky";
        Runs flaky = new Runs(client, ns);
        flaky.program("behave-bin", TestPrograms.program("behave"));
        var error = new StatusBuilder().withStatus("Failure").withCode(500).withReason("InternalError")
                .withMessage("injected").build();
        var conflict = new StatusBuilder().withStatus("Failure").withCode(409).withReason("Conflict")
                .withMessage("injected: the object has been modified").build();
        String runPath = "/apis/sandboxrun.dev/v1alpha1/namespaces/" + ns + "/sandboxruns/flaky";
        server.expect().post().withPath("/api/v1/namespaces/" + ns + "/pods").andReturn(500, error).times(2);
        server.expect().put().withPath(runPath + "/status").andReturn(409, conflict).times(3);
        server.expect().put().withPath(runPath + "/status").andReturn(500, error).once();
        server.expect().post().withPath("/api/v1/namespaces/" + ns + "/configmaps").andReturn(500, error).once();
        flaky.apply("flaky", Runs.spec("behave-bin", "exit", "0"));
        SandboxRunStatus s = flaky.awaitFinished("flaky");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals("exit 0\n", new String(flaky.storedStdout(s), StandardCharsets.UTF_8));
        assertEquals(1, s.getAttempts());
        assertEquals(Map.of(flaky.pod("flaky", 1), 1), ranFor("flaky"), "one pod, run once");
    }
}
