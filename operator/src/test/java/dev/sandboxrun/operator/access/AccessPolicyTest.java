package dev.sandboxrun.operator.access;

import dev.sandboxrun.operator.config.OperatorConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy from the operator's configuration, as the chart sets it: environment variables
 * (templates/configmap.yaml renders exactly these names).
 */
class AccessPolicyTest {
    static OperatorConfig fromEnv(Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .withMapping(OperatorConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new EnvConfigSource(env, 300))
                .build()
                .getConfigMapping(OperatorConfig.class);
    }

    @Test
    void unsetAllowsNothingBeyondTheDefaults() {
        AccessPolicy p = AccessPolicy.from(fromEnv(Map.of()));
        assertEquals(AccessPolicy.NONE, p);
        assertFalse(p.secretListed("default", "anything"));
    }

    @Test
    void theDefaultRuntimeClassIsAlwaysAllowed() {
        AccessPolicy p = AccessPolicy.from(fromEnv(Map.of("SANDBOXRUN_LAUNCHER_RUNTIME_CLASS_NAME", "gvisor")));
        assertEquals(Set.of("gvisor"), p.runtimeClassNames());
    }

    @Test
    void theChartsEnvironmentReachesThePolicy() {
        AccessPolicy p = AccessPolicy.from(fromEnv(Map.of(
                "SANDBOXRUN_ACCESS_SECRETS", "team-a/grader-key,team-b/*",
                "SANDBOXRUN_ACCESS_TOLERATIONS", "dedicated=sandbox:NoSchedule,spot:NoExecute",
                "SANDBOXRUN_ACCESS_RUNTIME_CLASS_NAMES", "kata",
                "SANDBOXRUN_LAUNCHER_RUNTIME_CLASS_NAME", "gvisor",
                "SANDBOXRUN_ACCESS_PRIORITY_CLASS_NAMES", "batch-low,batch-high")));
        assertTrue(p.secretListed("team-a", "grader-key"));
        assertFalse(p.secretListed("team-a", "other"));
        assertTrue(p.secretListed("team-b", "other"));
        assertEquals(List.of("dedicated=sandbox:NoSchedule", "spot:NoExecute"),
                p.tolerations().stream().map(AllowedToleration::toString).toList());
        assertEquals(Set.of("kata", "gvisor"), p.runtimeClassNames());
        assertEquals(Set.of("batch-low", "batch-high"), p.priorityClassNames());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SANDBOXRUN_ACCESS_SECRETS|grader-key|allowed Secret 'grader-key': write namespace/name or namespace/*",
            "SANDBOXRUN_ACCESS_SECRETS|*/grader-key|allowed Secret '*/grader-key'",
            "SANDBOXRUN_ACCESS_SECRETS|team-a/Grader|allowed Secret 'team-a/Grader'",
            "SANDBOXRUN_ACCESS_TOLERATIONS|:NoSchedule|allowed toleration ':NoSchedule'",
            "SANDBOXRUN_ACCESS_TOLERATIONS|gpu:Always|not a taint effect: 'Always'",
            "SANDBOXRUN_ACCESS_RUNTIME_CLASS_NAMES|Not_A_Name|allowed RuntimeClass 'Not_A_Name' is not a valid name",
            "SANDBOXRUN_ACCESS_PRIORITY_CLASS_NAMES|UPPER|allowed PriorityClass 'UPPER' is not a valid name",
    })
    void aMalformedEntryStopsTheOperatorNamingIt(String variable, String value, String message) {
        OperatorConfig config = fromEnv(Map.of(variable, value));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunAccess.from(config));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
