package dev.sandboxrun.operator;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CRD committed in crds/ must be the one the model generates. Quarkus generates it at every
 * build (the test build writes to target/test-crds; `mvn package` rewrites crds/): after changing
 * the model, run `mvn -pl api,operator package -DskipTests` and commit crds/.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrdDriftTest {
    static final String FILE = "sandboxruns.sandboxrun.dev-v1.yml";

    @Test
    void committedCrdIsTheGeneratedOne() throws Exception {
        Path generated = Paths.get("target", "test-crds", FILE);
        Path committed = Paths.get(System.getProperty("sandboxrun-test.crds", "../crds"), FILE);
        assertTrue(Files.exists(generated), "Quarkus generated no CRD at " + generated.toAbsolutePath());
        assertTrue(Files.exists(committed), "no committed CRD at " + committed.toAbsolutePath()
                + ": run `mvn -pl api,operator package -DskipTests` and commit crds/");
        assertEquals(Files.readString(generated), Files.readString(committed),
                "crds/" + FILE + " differs from the CRD the model generates: run "
                        + "`mvn -pl api,operator package -DskipTests` and commit crds/");
    }
}
