package dev.sandboxrun.operator.cluster;

import dev.sandboxrun.api.RunObjects;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.Limits;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.operator.output.StdoutStore;
import dev.sandboxrun.operator.pod.PodSettings;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API server's rules the strict test cluster applies, and the operator's objects against them. */
class ApiRulesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final ApiRules rules = new ApiRules(true);

    static JsonNode json(Object o) throws Exception {
        return JSON.readTree(Serialization.asJson(o));
    }

    @Test
    void labelValuesAreAtMost63CharactersOfTheLabelSyntax() throws Exception {
        var ok = new ConfigMapBuilder().withNewMetadata().withName("a").addToLabels("sandboxrun.dev/run", "x".repeat(63))
                .endMetadata().build();
        assertEquals(List.of(), rules.violations(json(ok)));
        var tooLong = new ConfigMapBuilder().withNewMetadata().withName("a")
                .addToLabels("sandboxrun.dev/run", "x".repeat(64)).endMetadata().build();
        assertTrue(rules.violations(json(tooLong)).get(0).contains("must be no more than 63 characters"));
        var badSyntax = new ConfigMapBuilder().withNewMetadata().withName("a").addToLabels("k", "-x").endMetadata().build();
        assertEquals(1, rules.violations(json(badSyntax)).size());
    }

    @Test
    void annotationsTogetherAreAtMost256KiB() throws Exception {
        var at = new ConfigMapBuilder().withNewMetadata().withName("a")
                .addToAnnotations("k", "v".repeat(ApiRules.TOTAL_ANNOTATION_BYTES - 1)).endMetadata().build();
        assertEquals(List.of(), rules.violations(json(at)));
        var over = new ConfigMapBuilder().withNewMetadata().withName("a")
                .addToAnnotations("k", "v".repeat(ApiRules.TOTAL_ANNOTATION_BYTES)).endMetadata().build();
        assertTrue(rules.violations(json(over)).get(0).contains("Too long: must have at most 262144 bytes"));
    }

    @Test
    void namesAreDnsSubdomainsOfAtMost253() throws Exception {
        assertEquals(List.of(), rules.violations(json(new ConfigMapBuilder().withNewMetadata()
                .withName("a.b-c".repeat(1) + "x".repeat(248)).endMetadata().build())));
        assertEquals(1, rules.violations(json(new ConfigMapBuilder().withNewMetadata()
                .withName("x".repeat(254)).endMetadata().build())).size());
        assertEquals(1, rules.violations(json(new ConfigMapBuilder().withNewMetadata()
                .withName("Upper").endMetadata().build())).size());
    }

    @Test
    void anImageVolumeWithoutTheFeatureGateIsAVolumeWithNoType() throws Exception {
        var pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addNewVolume().withName("program").withNewImage().withReference("r/x:1").endImage().endVolume()
                .endSpec().build();
        assertEquals(List.of(), rules.violations(json(pod)));
        assertEquals(List.of("spec.volumes[0]: Required value: must specify a volume type"),
                new ApiRules(false).violations(json(pod)));
    }

    /** Regression: the longest run name and the largest stdin.text made a pod the API server refused. */
    @Test
    void anyValidRunMakesValidObjects() throws Exception {
        SandboxRun run = new SandboxRun();
        String name = ("n".repeat(300)).substring(0, 253);
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns")
                .withUid("0f2c6e1a-4b5d-4c3e-9a7b-1d2e3f405162").build());
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramSource.configMap("bin", "program"));
        spec.setStdin(StdinSource.text("é".repeat(262144))); // the CRD's maxLength, 2 bytes each
        spec.setLimits(new Limits());
        run.setSpec(spec);
        var pod = SandboxPods.desired(run, 1, EffectiveLimits.resolve(spec, EffectiveLimits.Defaults.CONTRACT),
                new PodSettings("launcher:1", "/sandbox-launch", "IfNotPresent", 16L << 20, "64Mi", 30));
        assertEquals(List.of(), rules.violations(json(pod)));
        assertEquals(List.of(), rules.violations(json(SandboxPods.stdinConfigMap(run))));
        assertEquals(List.of(), rules.violations(json(new ConfigMapBuilder().withNewMetadata()
                .withName(StdoutStore.configMapName(name, 11)).addToLabels(RunObjects.LABEL_RUN,
                        run.getMetadata().getUid()).endMetadata().build())));
        assertTrue(Serialization.asJson(SandboxPods.stdinConfigMap(run)).length() < ApiRules.MAX_REQUEST_BYTES);
    }
}
