package dev.sandboxrun.api;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SandboxRunModelTest {
    static final String YAML = """
            apiVersion: sandboxrun.dev/v1alpha1
            kind: SandboxRun
            metadata:
              name: primes
            spec:
              program:
                configMap: {name: primes-bin, key: primes}
              args: ["1000"]
              stdin:
                text: "100\\n"
              profile: compute
              limits: {cpu: 2s, wallClock: 10s, memory: 64Mi, stdout: 1Mi, cores: "1"}
              retries: 2
              ttlSecondsAfterFinished: 3600
            """;

    @Test
    void readsTheApiPagesExample() {
        SandboxRun run = Serialization.unmarshal(YAML, SandboxRun.class);
        assertEquals("sandboxrun.dev/v1alpha1", run.getApiVersion());
        assertEquals("primes-bin", run.getSpec().getProgram().getConfigMap().getName());
        assertNull(run.getSpec().getProgram().getImage());
        assertEquals(Profile.COMPUTE, run.getSpec().getProfile());
        assertEquals("100\n", run.getSpec().getStdin().getText());
        assertEquals("64Mi", run.getSpec().getLimits().getMemory());
        assertEquals(2, run.getSpec().getRetries());
        SandboxRun back = Serialization.unmarshal(Serialization.asYaml(run), SandboxRun.class);
        assertEquals(Serialization.asYaml(run), Serialization.asYaml(back));
        assertEquals("sandboxruns", io.fabric8.kubernetes.api.model.HasMetadata.getPlural(SandboxRun.class));
    }
}
