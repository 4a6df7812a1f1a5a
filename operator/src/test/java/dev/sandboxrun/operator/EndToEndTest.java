package dev.sandboxrun.operator;

import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Apply a SandboxRun, let the simulated node run the real launcher, read the result back. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class EndToEndTest {
    static final String NS = "e2e";
    static SimulatedNode node;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @BeforeEach
    void startNode() throws Exception {
        if (node == null) {
            node = new SimulatedNode(client, server).start();
        }
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private void programConfigMap(String name) throws Exception {
        byte[] program = Files.readAllBytes(TestPrograms.program("greet"));
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .addToBinaryData("greet", Base64.getEncoder().encodeToString(program)).build()).create();
    }

    private SandboxRun apply(String name, String programConfigMap, List<String> args, String stdin) {
        SandboxRun run = new SandboxRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramSource.configMap(programConfigMap, "greet"));
        spec.setArgs(args);
        if (stdin != null) {
            spec.setStdin(StdinSource.text(stdin));
        }
        run.setSpec(spec);
        return client.resource(run).create();
    }

    private SandboxRunStatus awaitFinished(String name) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            SandboxRun r = client.resources(SandboxRun.class).inNamespace(NS).withName(name).get();
            return r != null && r.getStatus() != null && r.getStatus().isFinished();
        });
        return client.resources(SandboxRun.class).inNamespace(NS).withName(name).get().getStatus();
    }

    private byte[] storedStdout(SandboxRunStatus s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String cmName : s.getStdout().getConfigMaps()) {
            ConfigMap cm = client.configMaps().inNamespace(NS).withName(cmName).get();
            out.writeBytes(Base64.getDecoder().decode(cm.getBinaryData().get(StdoutStore.KEY)));
        }
        return out.toByteArray();
    }

    @Test
    void completedRunHasItsExactStdoutInConfigMapsAndStatus() throws Exception {
        programConfigMap("greet-bin");
        apply("greet", "greet-bin", List.of("world", "two words"), "from stdin\n");
        SandboxRunStatus s = awaitFinished("greet");

        String expected = "hello\narg 1: world\narg 2: two words\nfrom stdin\n";
        assertEquals(Phase.Succeeded, s.getPhase(), s.getMessage());
        assertEquals("Completed", s.getVerdict());
        assertEquals(0, s.getExitCode());
        assertNull(s.getSignal());
        assertEquals(1, s.getAttempts());
        assertEquals("greet-run-1", s.getPodName());
        assertEquals(expected.length(), s.getStdout().getBytes());
        assertEquals(StdoutStore.sha256(expected.getBytes()), s.getStdout().getSha256());
        assertTrue(s.getStdout().getComplete());
        assertEquals(expected, s.getStdout().getPreview());
        assertEquals(List.of("greet-stdout-0"), s.getStdout().getConfigMaps());
        assertEquals(expected, new String(storedStdout(s), StandardCharsets.UTF_8));
        assertNotNull(s.getUsage().getCpuMs());
        assertNotNull(s.getStartTime());
        assertNotNull(s.getCompletionTime());
        assertEquals("True", s.condition(StatusMapper.COMPLETE).getStatus());
        assertNull(s.condition(StatusMapper.FAILED));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.pods().inNamespace(NS).withName("greet-run-1").get() == null);
        assertEquals(1, node.runs.get("greet-run-1"));
    }

    @Test
    void nonZeroExitIsAFailedRunAndIsNotRetried() throws Exception {
        programConfigMap("exit-bin");
        SandboxRun run = apply("exit3", "exit-bin", List.of("exit=3"), null);
        SandboxRunStatus s = awaitFinished("exit3");
        assertEquals(Phase.Failed, s.getPhase());
        assertEquals("NonZeroExit", s.getVerdict());
        assertEquals(3, s.getExitCode());
        assertEquals("NonZeroExit", s.condition(StatusMapper.FAILED).getReason());
        assertEquals("hello\narg 1: exit=3\n", new String(storedStdout(s), StandardCharsets.UTF_8));
        assertTrue(s.getStdout().getComplete());
        assertEquals(1, s.getAttempts());
        assertNotNull(run);
    }

    @Test
    void aMissingProgramConfigMapMakesTheRunWaitUntilItAppears() throws Exception {
        apply("late", "late-bin", List.of(), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            SandboxRun r = client.resources(SandboxRun.class).inNamespace(NS).withName("late").get();
            return r.getStatus() != null && r.getStatus().condition(StatusMapper.WAITING) != null;
        });
        SandboxRunStatus waiting = client.resources(SandboxRun.class).inNamespace(NS).withName("late").get().getStatus();
        assertEquals(Phase.Pending, waiting.getPhase());
        assertEquals("SourceMissing", waiting.condition(StatusMapper.WAITING).getReason());
        assertTrue(waiting.getMessage().contains("ConfigMap late-bin key greet"), waiting.getMessage());
        programConfigMap("late-bin");
        SandboxRunStatus s = awaitFinished("late");
        assertEquals("Completed", s.getVerdict(), s.getMessage());
        assertNull(s.condition(StatusMapper.WAITING));
    }

    @Test
    void aLogShorterThanTheResultIsNeverComplete() throws Exception {
        programConfigMap("short-bin");
        node.tamperLog("short-run-", log -> java.util.Arrays.copyOf(log, log.length - 3));
        apply("short", "short-bin", List.of("x"), null);
        SandboxRunStatus s = awaitFinished("short");
        assertEquals("Completed", s.getVerdict());
        assertFalse(s.getStdout().getComplete());
        assertTrue(s.getMessage().contains("stdout not verified"), s.getMessage());
        assertEquals("hello\narg 1:", new String(storedStdout(s), StandardCharsets.UTF_8));
    }
}
