package dev.sandboxrun.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's access allow-lists reach the operator as the environment variables its
 * access/AccessPolicy reads (AccessPolicyTest pins the same names), the users' roles, and the
 * Kubernetes version the CRD needs.
 */
class AccessValuesTest {
    @TempDir
    Path tmp;

    @Test
    void allowListsBecomeTheOperatorsAccessSettings() throws Exception {
        Rendered r = Rendered.template(tmp, """
                sandboxPods: {runtimeClassName: gvisor}
                access:
                  secrets: [team-a/grader-key, team-b/*]
                  tolerations:
                    - {key: dedicated, operator: Equal, value: sandbox, effect: NoSchedule}
                    - {key: example.com/spot, operator: Exists, effect: NoExecute}
                    - {key: pool, value: runs}
                    - {key: gpu, operator: Exists}
                  runtimeClassNames: [kata]
                  priorityClassNames: [batch-low, batch-high]
                """);
        Map<String, String> config = ChartTest.configOf(r);
        assertEquals("team-a/grader-key,team-b/*", config.get("SANDBOXRUN_ACCESS_SECRETS"));
        assertEquals("dedicated=sandbox:NoSchedule,example.com/spot:NoExecute,pool=runs,gpu",
                config.get("SANDBOXRUN_ACCESS_TOLERATIONS"));
        assertEquals("kata", config.get("SANDBOXRUN_ACCESS_RUNTIME_CLASS_NAMES"));
        assertEquals("gvisor", config.get("SANDBOXRUN_LAUNCHER_RUNTIME_CLASS_NAME"), "the default stays allowed by itself");
        assertEquals("batch-low,batch-high", config.get("SANDBOXRUN_ACCESS_PRIORITY_CLASS_NAMES"));
    }

    @Test
    void existsWithAValueIsRefusedNamingTheKey() {
        Exception e = assertThrows(Exception.class, () -> Rendered.template(tmp,
                "access: {tolerations: [{key: gpu, operator: Exists, value: a100}]}\n"));
        assertTrue(e.getMessage().contains("access.tolerations: key gpu has operator Exists and a value"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "access: {secrets: [grader-key]}",
            "access: {secrets: ['*/grader-key']}",
            "access: {tolerations: [{operator: Exists}]}",
            "access: {tolerations: [{key: '', operator: Exists}]}",
            "access: {tolerations: [{key: gpu, effect: Always}]}",
            "access: {tolerations: [{key: gpu, operator: Lt, value: '3'}]}",
            "access: {runtimeClassNames: [Not_A_Name]}",
            "access: {priorityClassNames: [UPPER]}",
            "access: {everything: true}",
            "rbac: {userRoles: {create: yes-please}}",
    })
    void theSchemaRefusesWrongAccessValues(String values) {
        Exception e = assertThrows(Exception.class, () -> Rendered.template(tmp, values + "\n"));
        assertTrue(e.getMessage().toLowerCase().contains("schema"), values + ": " + e.getMessage());
    }

    @Test
    void theUsersRolesGrantRunsAndTheirConfigMapsOnlyAndAggregateOnlyWhenAsked() throws Exception {
        Rendered r = Rendered.template(tmp);
        JsonNode user = r.one("ClusterRole", "sandboxrun-user");
        assertEquals(Map.of(
                "sandboxrun.dev/sandboxruns", Set.of("get", "list", "watch", "create", "delete"),
                "sandboxrun.dev/sandboxruns/status", Set.of("get"),
                "/configmaps", Set.of("get", "create")), ChartTest.rules(user));
        JsonNode viewer = r.one("ClusterRole", "sandboxrun-viewer");
        assertEquals(Map.of(
                "sandboxrun.dev/sandboxruns", Set.of("get", "list", "watch"),
                "sandboxrun.dev/sandboxruns/status", Set.of("get", "list", "watch")), ChartTest.rules(viewer));
        for (JsonNode role : r.ofKind("ClusterRole")) {
            assertFalse(role.at("/metadata/labels").toString().contains("aggregate-to"), "no aggregation by default: " + role);
            assertFalse(role.toString().contains("secrets") && ChartTest.isUserRole(role), "users' roles never name Secrets");
        }
        assertTrue(r.ofKind("ClusterRoleBinding").stream().noneMatch(b -> b.at("/roleRef/name").asText().endsWith("-user")
                || b.at("/roleRef/name").asText().endsWith("-viewer")), "the chart binds the users' roles to nobody");

        Rendered aggregated = Rendered.template(tmp, "rbac: {userRoles: {aggregate: true}}\n");
        JsonNode labels = aggregated.one("ClusterRole", "sandboxrun-user").at("/metadata/labels");
        assertEquals("true", labels.at("/rbac.authorization.k8s.io~1aggregate-to-edit").asText());
        assertEquals("true", labels.at("/rbac.authorization.k8s.io~1aggregate-to-admin").asText());
        assertTrue(labels.at("/rbac.authorization.k8s.io~1aggregate-to-view").isMissingNode());
        assertEquals("true", aggregated.one("ClusterRole", "sandboxrun-viewer")
                .at("/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-view").asText());

        Rendered none = Rendered.template(tmp, "rbac: {userRoles: {create: false}}\n");
        assertTrue(none.ofKind("ClusterRole").stream().noneMatch(ChartTest::isUserRole), none.text);
    }

    @ParameterizedTest
    @CsvSource({"1.28.9, false", "1.29.0, true", "1.33.1, true"})
    void theChartNeedsTheKubernetesVersionOfTheCrdsQuantityRules(String version, boolean accepted) {
        Runnable render = () -> new Helm(Rendered.chart()).template().withName(Rendered.RELEASE)
                .withNamespace(Rendered.NAMESPACE).withKubeVersion(version).call();
        if (accepted) {
            render.run();
        } else {
            Exception e = assertThrows(Exception.class, render::run);
            assertTrue(e.getMessage().contains("kubeVersion"), e.getMessage());
        }
    }
}
