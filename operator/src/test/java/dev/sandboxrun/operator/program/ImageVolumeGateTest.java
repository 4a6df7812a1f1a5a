package dev.sandboxrun.operator.program;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.ImageRef;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.cluster.StrictApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster whose API server drops the pod's image volume (the ImageVolume gate off, as
 * {@link StrictApiServer} models it): an image program ends with a message that says so and what
 * to do instead, not only the API server's "must specify a volume type".
 */
@EnableKubernetesMockClient(crud = true)
class ImageVolumeGateTest {
    static final String NS = "no-image-volumes";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static PlainOperator operator;

    @BeforeAll
    static void setUp() throws Exception {
        StrictApiServer.install(server, false);
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        operator = PlainOperator.start(client, Map.of(), 1);
    }

    @AfterAll
    static void tearDown() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void anImageProgramOnAClusterWithoutImageVolumesSaysSo() {
        Runs runs = new Runs(client, NS);
        SandboxRunSpec spec = new SandboxRunSpec();
        ProgramSource p = new ProgramSource();
        p.setImage(new ImageRef("registry.example/primes:1", "/primes"));
        p.setSha256("ab".repeat(32));
        spec.setProgram(p);
        runs.apply("from-image", spec);
        SandboxRunStatus s = runs.awaitFinished("from-image", Duration.ofSeconds(60));
        assertEquals(Verdict.InfrastructureFailure, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains("must specify a volume type"), s.getMessage());
        assertTrue(s.getMessage().contains("this cluster dropped the pod's image volume")
                && s.getMessage().contains("spec.program.parts"), s.getMessage());
    }
}
