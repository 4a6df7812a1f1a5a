package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator stopped and a NEW instance started against the same cluster state: it resumes the
 * run, never runs a program twice for one attempt, and never loses (or redoes) a collected result.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorRestartTest {
    static final String NS = "restart";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static final Map<String, String> CONFIG = Map.of("sandboxrun.source-wait-timeout", "30s");

    Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        new Runs(client, NS).program("behave-bin", TestPrograms.program("behave"));
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    @Test
    void aNewOperatorFinishesARunTheStoppedOneStartedWithoutRunningItAgain() {
        PlainOperator first = PlainOperator.start(client, CONFIG, 2);
        runs.apply("resume", Runs.spec("behave-bin", "sleep", "800"));
        await().atMost(Duration.ofSeconds(30)).until(() -> node.started.contains(NS + "/" + runs.pod("resume", 1)));
        first.close();
        // While no operator runs, the node finishes the pod.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Pod p = Runs.retrying(() -> client.pods().inNamespace(NS).withName(runs.pod("resume", 1)).get());
            return p != null && p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase());
        });
        assertEquals("Running", runs.get("resume").getStatus().getPhase().name());

        try (PlainOperator second = PlainOperator.start(client, CONFIG, 2)) {
            SandboxRunStatus s = runs.awaitFinished("resume");
            assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
            assertEquals(1, s.getAttempts());
            assertTrue(s.getStdout().getComplete());
            assertEquals("slept\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
            assertEquals(1, node.runs.get(runs.pod("resume", 1)));
            assertNull(node.runs.get(runs.pod("resume", 2)));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Runs.retrying(() -> client.pods().inNamespace(NS).withName(runs.pod("resume", 1)).get()) == null);
        }
    }

    @Test
    void aRestartedOperatorLeavesAFinishedRunAsItIs() throws Exception {
        SandboxRunStatus before;
        try (PlainOperator first = PlainOperator.start(client, CONFIG, 2)) {
            runs.apply("kept", Runs.spec("behave-bin", "exit", "4"));
            before = runs.awaitFinished("kept");
            assertEquals(Verdict.NonZeroExit, before.getVerdict());
        }
        String version = runs.get("kept").getMetadata().getResourceVersion();
        try (PlainOperator second = PlainOperator.start(client, CONFIG, 2)) {
            // Give the new instance its initial reconciliation of every run.
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            var after = runs.get("kept");
            assertEquals(version, after.getMetadata().getResourceVersion(), "nothing rewritten");
            assertEquals(before.getCompletionTime(), after.getStatus().getCompletionTime());
            assertEquals("exit 4\n", new String(runs.storedStdout(after.getStatus()), StandardCharsets.UTF_8));
            assertEquals(1, node.runs.get(runs.pod("kept", 1)));
            assertNull(node.runs.get(runs.pod("kept", 2)));
        }
    }

    @Test
    void anOperatorStoppedBeforeTheRunStartsLeavesItToTheNextOne() {
        runs.apply("later", Runs.spec("behave-bin", "exit", "0"));
        try (PlainOperator op = PlainOperator.start(client, CONFIG, 2)) {
            SandboxRunStatus s = runs.awaitFinished("later");
            assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
            assertEquals(1, node.runs.get(runs.pod("later", 1)));
        }
    }
}
