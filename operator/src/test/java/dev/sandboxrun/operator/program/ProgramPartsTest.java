package dev.sandboxrun.operator.program;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.PartRef;
import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.cluster.StrictApiServer;
import dev.sandboxrun.operator.node.SimulatedNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs in parts through the operator, the strict mock API server (with its lagging garbage
 * collector) and the simulated node: what the operator does before the launcher runs, so none of
 * this needs the launcher's --program-part (ProgramPartsEndToEndTest does).
 */
@EnableKubernetesMockClient(crud = true)
class ProgramPartsTest {
    static final String NS = "parts";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static StrictApiServer api;
    static PlainOperator operator;
    final Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        api = StrictApiServer.install(server, true);
        api.gcLag(Duration.ofMillis(500));
        operator = PlainOperator.start(client, Map.of("sandboxrun.source-wait-timeout", "3s"), 2);
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

    /** Uploads a random program of this size in the layout; returns its SHA-256. */
    static String upload(int size, long seed) {
        byte[] program = new byte[size];
        new Random(seed).nextBytes(program);
        String sha = StdoutLayout.sha256(program);
        List<byte[]> parts = ProgramLayout.split(program);
        for (int i = 0; i < parts.size(); i++) {
            ConfigMap cm = ProgramLayout.partConfigMap(NS, sha, i, parts.size(), parts.get(i));
            Runs.retrying(() -> client.resource(cm).create());
        }
        return sha;
    }

    static SandboxRunSpec spec(ProgramSource p) {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(p);
        return spec;
    }

    ConfigMap configMap(String name) {
        return Runs.retrying(() -> client.configMaps().inNamespace(NS).withName(name).get());
    }

    List<String> ownerUids(String configMap) {
        ConfigMap cm = configMap(configMap);
        List<String> out = new ArrayList<>();
        if (cm != null && cm.getMetadata().getOwnerReferences() != null) {
            cm.getMetadata().getOwnerReferences().forEach(o -> out.add(o.getUid()));
        }
        return out;
    }

    /** The operator has passed the point where a run may start: its first pod exists or it finished. */
    SandboxRun awaitStarted(String name) {
        await(name + " started").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            SandboxRun r = runs.get(name);
            return r != null && r.getStatus() != null && (r.getStatus().getPodName() != null || r.getStatus().isFinished());
        });
        return runs.get(name);
    }

    @Test
    void ownersAreAddedOnlyToPartsThatCarryTheLabel() {
        String sha = upload(100_000, 1);
        Runs.retrying(() -> client.resource(new ConfigMapBuilder().withNewMetadata().withName("someone-elses")
                .withNamespace(NS).endMetadata().addToBinaryData("part", Base64.getEncoder().encodeToString(new byte[10]))
                .build()).create());
        ProgramSource p = ProgramLayout.source(sha, 1);
        p.getParts().add(PartRef.configMap("someone-elses", "part"));
        SandboxRun run = awaitStarted(runs.apply("labelled-only", spec(p)).getMetadata().getName());
        String part = ProgramLayout.partName(sha, 0);
        assertEquals(List.of(run.getMetadata().getUid()), ownerUids(part));
        OwnerReference o = configMap(part).getMetadata().getOwnerReferences().get(0);
        assertEquals("SandboxRun", o.getKind());
        assertNull(o.getController(), "a run is an owner of a shared part, never its controller");
        assertNull(o.getBlockOwnerDeletion());
        assertEquals(List.of(), ownerUids("someone-elses"), "a ConfigMap without the label is never given an owner");
        Runs.retrying(() -> client.resource(run).delete());
        await("the unlabelled ConfigMap outlives the run").during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5)).until(() -> configMap("someone-elses") != null);
    }

    @Test
    void twoRunsShareOneStorageAndTheLastOneGoneTakesIt() {
        String sha = upload(2 * 1024 * 1024, 2);
        int parts = 3;
        SandboxRun a = awaitStarted(runs.apply("share-a", spec(ProgramLayout.source(sha, parts))).getMetadata().getName());
        SandboxRun b = awaitStarted(runs.apply("share-b", spec(ProgramLayout.source(sha, parts))).getMetadata().getName());
        for (int i = 0; i < parts; i++) {
            List<String> owners = ownerUids(ProgramLayout.partName(sha, i));
            assertEquals(2, owners.size(), owners.toString());
            assertTrue(owners.containsAll(List.of(a.getMetadata().getUid(), b.getMetadata().getUid())), owners.toString());
        }
        assertEquals(parts, Runs.retrying(() -> client.configMaps().inNamespace(NS)
                .withLabel(ProgramLayout.LABEL_PROGRAM, ProgramLayout.programId(sha)).list().getItems()).size());

        Runs.retrying(() -> client.resource(a).delete());
        await("the deleted run's owner reference removed").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ownerUids(ProgramLayout.partName(sha, 0)).equals(List.of(b.getMetadata().getUid())));
        for (int i = 0; i < parts; i++) {
            assertNotNull(configMap(ProgramLayout.partName(sha, i)), "part " + i + " is still used by share-b");
        }
        Runs.retrying(() -> client.resource(b).delete());
        await("the parts collected with the last run").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> Runs.retrying(() -> client.configMaps().inNamespace(NS)
                        .withLabel(ProgramLayout.LABEL_PROGRAM, ProgramLayout.programId(sha)).list().getItems()).isEmpty());
    }

    @Test
    void aMissingPartEndsTheRunProgramNotFoundNamingIt() {
        String sha = upload(1_000_000, 3);
        Runs.retrying(() -> client.configMaps().inNamespace(NS).withName(ProgramLayout.partName(sha, 1)).delete());
        await().atMost(Duration.ofSeconds(10)).until(() -> configMap(ProgramLayout.partName(sha, 1)) == null);
        runs.apply("missing-part", spec(ProgramLayout.source(sha, 2)));
        SandboxRunStatus s = runs.awaitFinished("missing-part", Duration.ofSeconds(60));
        assertEquals(Verdict.ProgramNotFound, s.getVerdict(), s.getMessage());
        assertEquals("ConfigMap " + ProgramLayout.partName(sha, 1) + " key part (spec.program.parts[1]) not found after 3s",
                s.getMessage());
        assertNull(s.getPodName());
        assertEquals(List.of(), ownerUids(ProgramLayout.partName(sha, 0)),
                "no owner added before every part is there");
    }

    @Test
    void aSecretPartFollowsTheSecretOptInAndIsNeverGivenAnOwner() {
        for (var e : Map.of("closed-part", Map.<String, String>of(),
                "open-part", Map.of(dev.sandboxrun.operator.access.SecretOptIn.LABEL, "true",
                        ProgramLayout.LABEL_PART, "0")).entrySet()) {
            Runs.retrying(() -> client.resource(new SecretBuilder().withNewMetadata().withName(e.getKey()).withNamespace(NS)
                    .withLabels(e.getValue()).endMetadata()
                    .addToData("part", Base64.getEncoder().encodeToString(new byte[]{1, 2, 3})).build()).create());
        }
        String sha = "ab".repeat(32);
        runs.apply("closed", spec(ProgramSource.parts(sha, List.of(PartRef.secret("closed-part", "part")))));
        SandboxRunStatus s = runs.awaitFinished("closed", Duration.ofSeconds(60));
        assertEquals(Verdict.InvalidSpec, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().startsWith("spec.program.parts[0].secret: Secret parts/closed-part is not open to"
                + " SandboxRuns"), s.getMessage());
        assertNull(s.getPodName());

        awaitStarted(runs.apply("open", spec(ProgramSource.parts(sha, List.of(PartRef.secret("open-part", "part")))))
                .getMetadata().getName());
        var secret = Runs.retrying(() -> client.secrets().inNamespace(NS).withName("open-part").get());
        assertTrue(secret.getMetadata().getOwnerReferences() == null || secret.getMetadata().getOwnerReferences().isEmpty(),
                "the operator never writes a Secret");
    }

    @Test
    void aPartOfTwoMiBProgramsIsUploadedInBodiesUnderEtcdsLimit() {
        long before = api.bodyBytes("POST");
        long posts = api.requests("POST");
        String sha = upload(2 * 1024 * 1024, 4);
        long bytes = api.bodyBytes("POST") - before;
        assertEquals(3, api.requests("POST") - posts);
        // base64 is 4/3 of 2 MiB (2,796,203 bytes) plus three objects' metadata.
        assertTrue(bytes > 2_796_202 && bytes < 2_796_203 + 3 * 2048, "bytes " + bytes);
        System.out.printf("2 MiB program in %d parts: %d request bytes (%.3f of the program)%n", 3, bytes,
                bytes / (2.0 * 1024 * 1024));
        assertFalse(sha.isEmpty());
    }
}
