package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 §2, "no confused deputy", through the operator on the mock API server and the simulated
 * node: a run may not read a Secret that did not opt in, nor place its pod beyond the allow-lists.
 * (greet copies stdin to stdout: without the check it prints the Secret.)
 */
@EnableKubernetesMockClient(crud = true)
class ConfusedDeputyTest {
    static final String NS = "deputy";
    static final String SECRET_TEXT = "s3cr3t-db-password";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static PlainOperator operator;
    final Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        new Runs(client, NS).program("greet-bin", TestPrograms.program("greet"));
        for (var s : Map.of("plain", Map.<String, String>of(), "opted-in", Map.of(SecretOptIn.LABEL, "true"),
                "listed", Map.<String, String>of()).entrySet()) {
            client.resource(new SecretBuilder().withNewMetadata().withName(s.getKey()).withNamespace(NS)
                    .withLabels(s.getValue()).endMetadata()
                    // data, as a real API server stores stringData (the mock keeps stringData apart)
                    .addToData("password", java.util.Base64.getEncoder().encodeToString(
                            SECRET_TEXT.getBytes(StandardCharsets.UTF_8))).build()).create();
        }
        operator = PlainOperator.start(client, Map.of("sandboxrun.access.secrets", NS + "/listed",
                "sandboxrun.source-wait-timeout", "30s"), 2);
    }

    @AfterAll
    static void tearDown() {
        if (operator != null) {
            operator.close();
        }
        if (node != null) {
            node.close();
        }
    }

    static SandboxRunSpec readingSecret(String secret) {
        SandboxRunSpec spec = Runs.spec("greet-bin");
        StdinSource in = new StdinSource();
        in.setSecret(new KeyRef(secret, "password"));
        spec.setStdin(in);
        return spec;
    }

    boolean anyPodOf(String run) {
        return Runs.retrying(() -> client.pods().inNamespace(NS).list().getItems()).stream()
                .anyMatch(p -> p.getMetadata().getName().startsWith(run + "-"));
    }

    @Test
    void aSecretWithoutOptInIsNeverMountedAndTheRunSaysWhy() {
        runs.apply("steal", readingSecret("plain"));
        SandboxRunStatus s = runs.awaitFinished("steal", Duration.ofSeconds(60));
        assertEquals(Verdict.InvalidSpec, s.getVerdict(), s.getMessage());
        assertEquals("InvalidSpec", s.condition(StatusMapper.FAILED).getReason());
        assertTrue(s.getMessage().contains("Secret deputy/plain is not open to SandboxRuns")
                && s.getMessage().contains(SecretOptIn.LABEL + "=true"), s.getMessage());
        assertFalse(anyPodOf("steal"), "no pod mounts the Secret");
        assertTrue(s.getStdout() == null || s.getStdout().getPreview() == null
                || !s.getStdout().getPreview().contains(SECRET_TEXT));
    }

    @Test
    void aSecretThatOptedInOrThatTheAdministratorListedIsRead() {
        for (String secret : List.of("opted-in", "listed")) {
            runs.apply("read-" + secret, readingSecret(secret));
            SandboxRunStatus s = runs.awaitFinished("read-" + secret, Duration.ofSeconds(60));
            assertEquals(Verdict.Completed, s.getVerdict(), secret + ": " + s.getMessage());
            assertEquals("hello\n" + SECRET_TEXT, new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        }
    }

    @Test
    void placementBeyondTheAllowListsEndsTheRunWithoutAPod() {
        SandboxRunSpec spec = Runs.spec("greet-bin");
        Placement p = new Placement();
        p.setTolerations(List.of(new Toleration("NoSchedule", "node-role.kubernetes.io/control-plane", "Exists", null, null)));
        spec.setPlacement(p);
        runs.apply("climb", spec);
        SandboxRunStatus s = runs.awaitFinished("climb", Duration.ofSeconds(60));
        assertEquals(Verdict.InvalidSpec, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().startsWith("spec.placement.tolerations[0] (key=node-role.kubernetes.io/control-plane"),
                s.getMessage());
        assertFalse(anyPodOf("climb"));
    }
}
