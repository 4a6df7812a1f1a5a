package dev.sandboxrun.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartTest {
    /** What the operator's code uses, per API group/resource (see templates/rbac.yaml). */
    static final Map<String, Set<String>> OPERATOR_RULES = Map.of(
            "sandboxrun.dev/sandboxruns", Set.of("get", "list", "watch", "delete"),
            "sandboxrun.dev/sandboxruns/status", Set.of("get", "update", "patch"),
            "sandboxrun.dev/sandboxruns/finalizers", Set.of("update"),
            "/pods", Set.of("get", "list", "watch", "create", "delete"),
            "/pods/log", Set.of("get"),
            "/configmaps", Set.of("get", "create", "update", "patch", "deletecollection"),
            "/secrets", Set.of("get"),
            "/events", Set.of("create", "list"));

    @TempDir
    Path tmp;

    @Test
    void lintsCleanStrict() {
        LintResult r = new Helm(Rendered.chart()).lint().strict().call();
        assertFalse(r.isFailed(), "helm lint --strict: " + String.join("\n", r.getMessages()));
    }

    @Test
    void defaultsRenderTheOperatorWithClusterWideRbacAndTheDenyAllPolicy() throws Exception {
        Rendered r = Rendered.template(tmp);
        // helm template leaves crds/ out (helm install applies it first): see theChartsCrdIsTheGeneratedOne.
        assertEquals(new TreeSet<>(List.of("ClusterRole", "ClusterRoleBinding", "ConfigMap",
                "Deployment", "NetworkPolicy", "Service", "ServiceAccount")), new TreeSet<>(r.kinds()), r.text);
        assertTrue(r.ofKind("Role").isEmpty() && r.ofKind("RoleBinding").isEmpty(), "no Lease role without leader election");
        assertEquals(OPERATOR_RULES, rules(r.one("ClusterRole", "sandboxrun-operator")));
        JsonNode binding = r.one("ClusterRoleBinding");
        assertEquals("sandboxrun-operator", binding.at("/roleRef/name").asText());
        assertEquals("ServiceAccount", binding.at("/subjects/0/kind").asText());
        assertEquals("sandboxrun", binding.at("/subjects/0/name").asText());
        assertEquals(Rendered.NAMESPACE, binding.at("/subjects/0/namespace").asText());
        assertEquals("sandboxrun", r.one("ServiceAccount").at("/metadata/name").asText());

        JsonNode np = r.one("NetworkPolicy");
        assertEquals(Rendered.NAMESPACE, np.at("/metadata/namespace").asText());
        assertDeniesAll(np);

        Map<String, String> config = configOf(r);
        assertEquals("ghcr.io/sandboxrun/launcher:0.1.0", config.get("SANDBOXRUN_LAUNCHER_IMAGE"));
        assertEquals("JOSDK_ALL_NAMESPACES", config.get("QUARKUS_OPERATOR_SDK_CONTROLLERS_SANDBOXRUN_NAMESPACES"));
        assertEquals("50", config.get("SANDBOXRUN_MAX_CONCURRENT_PODS"));
        assertEquals("false", config.get("SANDBOXRUN_LEADER_ELECTION_ENABLED"));
        assertFalse(config.keySet().stream().anyMatch(k -> k.startsWith("SANDBOXRUN_DEFAULTS_")
                || k.startsWith("SANDBOXRUN_CEILINGS_") || k.contains("RUNTIME_CLASS")
                || k.startsWith("SANDBOXRUN_ACCESS_")), "unset values stay unset: " + config);
    }

    @Test
    void rbacGrantsNothingBeyondWhatTheOperatorUses() throws Exception {
        for (Rendered r : List.of(Rendered.template(tmp), Rendered.template(tmp, "watchNamespaces: [team-a]\n"))) {
            for (String kind : List.of("ClusterRole", "Role")) {
                for (JsonNode role : r.ofKind(kind)) {
                    for (JsonNode rule : role.get("rules")) {
                        List<String> all = new ArrayList<>();
                        rule.get("verbs").forEach(v -> all.add(v.asText()));
                        rule.get("resources").forEach(v -> all.add(v.asText()));
                        rule.get("apiGroups").forEach(v -> all.add(v.asText()));
                        assertFalse(all.contains("*"), "no wildcards: " + rule);
                        assertFalse(rule.has("nonResourceURLs"), rule.toString());
                    }
                }
            }
            String text = r.text;
            assertFalse(text.contains("customresourcedefinitions"), "the operator neither applies nor reads the CRD");
            assertFalse(text.contains("\"escalate\"") || text.contains("\"bind\"") || text.contains("\"impersonate\""));
            for (String kind : List.of("ClusterRole", "Role")) {
                for (JsonNode role : r.ofKind(kind)) {
                    Map<String, Set<String>> rules = rules(role);
                    if (rules.containsKey("/secrets")) {
                        assertEquals(Set.of("get"), rules.get("/secrets"), "secrets: get only, never list or watch");
                    }
                }
            }
        }
    }

    @Test
    void watchedNamespacesGetNamespacedRolesAndNothingClusterWide() throws Exception {
        Rendered r = Rendered.template(tmp, "watchNamespaces: [team-a, team-b]\n");
        assertTrue(r.ofKind("ClusterRole").stream().allMatch(ChartTest::isUserRole)
                && r.ofKind("ClusterRoleBinding").isEmpty(), "only the users' roles are cluster-wide (and bind nobody): " + r.text);
        List<JsonNode> roles = r.ofKind("Role");
        assertEquals(List.of("team-a", "team-b"), roles.stream().map(x -> x.at("/metadata/namespace").asText()).toList());
        for (JsonNode role : roles) {
            assertEquals(OPERATOR_RULES, rules(role));
        }
        List<JsonNode> bindings = r.ofKind("RoleBinding");
        assertEquals(2, bindings.size());
        for (JsonNode b : bindings) {
            assertEquals("Role", b.at("/roleRef/kind").asText());
            assertEquals(Rendered.NAMESPACE, b.at("/subjects/0/namespace").asText(), "the operator's account, from its namespace");
        }
        List<JsonNode> policies = r.ofKind("NetworkPolicy");
        assertEquals(List.of("team-a", "team-b"), policies.stream().map(x -> x.at("/metadata/namespace").asText()).toList());
        policies.forEach(ChartTest::assertDeniesAll);
        assertEquals("team-a,team-b", configOf(r).get("QUARKUS_OPERATOR_SDK_CONTROLLERS_SANDBOXRUN_NAMESPACES"));
    }

    @Test
    void theOperatorPodIsHardened() throws Exception {
        Rendered r = Rendered.template(tmp);
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), pod.toString());
        assertTrue(pod.at("/securityContext/runAsUser").asInt() > 0);
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertFalse(pod.path("hostNetwork").asBoolean() || pod.path("hostPID").asBoolean() || pod.path("hostIPC").asBoolean());

        JsonNode c = r.operatorContainer();
        assertEquals("ghcr.io/sandboxrun/operator:0.1.0", c.get("image").asText());
        JsonNode sc = c.get("securityContext");
        assertTrue(sc.get("runAsNonRoot").asBoolean());
        assertTrue(sc.get("readOnlyRootFilesystem").asBoolean());
        assertFalse(sc.get("allowPrivilegeEscalation").asBoolean());
        assertFalse(sc.get("privileged").asBoolean());
        assertEquals("[\"ALL\"]", sc.at("/capabilities/drop").toString());
        assertTrue(sc.at("/capabilities/add").isMissingNode());
        assertEquals("RuntimeDefault", sc.at("/seccompProfile/type").asText());

        assertEquals("/q/health/live", c.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/started", c.at("/startupProbe/httpGet/path").asText());
        assertEquals("http", c.at("/livenessProbe/httpGet/port").asText());
        assertEquals(8080, c.at("/ports/0/containerPort").asInt());
        assertEquals("http", c.at("/ports/0/name").asText());
        assertEquals("256Mi", c.at("/resources/requests/memory").asText());
        assertEquals("512Mi", c.at("/resources/limits/memory").asText());
        assertEquals("/tmp", c.at("/volumeMounts/0/mountPath").asText(), "a writable /tmp beside the read-only root");
        assertEquals("sandboxrun-config", c.at("/envFrom/0/configMapRef/name").asText());

        JsonNode meta = r.one("Deployment").at("/spec/template/metadata");
        assertEquals("/q/metrics", meta.at("/annotations/prometheus.io~1path").asText());
        assertTrue(meta.at("/annotations/checksum~1config").asText().matches("[0-9a-f]{64}"));
        assertEquals("Recreate", r.one("Deployment").at("/spec/strategy/type").asText());
        JsonNode svc = r.one("Service");
        assertEquals("http-metrics", svc.at("/spec/ports/0/name").asText());
        assertEquals(8080, svc.at("/spec/ports/0/port").asInt());
        assertEquals(r.one("Deployment").at("/spec/selector/matchLabels"), svc.at("/spec/selector"));
        assertFalse(r.one("Deployment").at("/spec/template/metadata/labels").toString().contains("sandboxrun-operator"),
                "the operator's own pod must not match the sandbox pods' NetworkPolicy");
    }

    @Test
    void overridesReachTheOperatorsConfiguration() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        Rendered r = Rendered.template(tmp, """
                operator:
                  replicas: 2
                  image: {repository: registry.example/sandboxrun/operator, tag: "1.2.3", pullPolicy: Always}
                  resources: {requests: {cpu: 200m, memory: 300Mi}, limits: {memory: 600Mi}}
                launcher:
                  image: {repository: registry.example/sandboxrun/launcher, digest: "%s", pullPolicy: IfNotPresent}
                  memoryOverhead: 32Mi
                sandboxPods:
                  runtimeClassName: gvisor
                  networkPolicy: {namespaces: [runs]}
                defaults: {profile: strict, cpu: 2s, memory: 64Mi}
                ceilings: {cpu: 1m, wallClock: 5m, memory: 2Gi, stdout: 8Mi, cores: "2"}
                maxConcurrentPods: 7
                leaderElection: {enabled: true}
                metrics: {service: {enabled: false}, podAnnotations: false}
                """.formatted(digest));
        Map<String, String> config = configOf(r);
        assertEquals("registry.example/sandboxrun/launcher@" + digest, config.get("SANDBOXRUN_LAUNCHER_IMAGE"));
        assertEquals("32Mi", config.get("SANDBOXRUN_LAUNCHER_MEMORY_OVERHEAD"));
        assertEquals("gvisor", config.get("SANDBOXRUN_LAUNCHER_RUNTIME_CLASS_NAME"));
        assertEquals("strict", config.get("SANDBOXRUN_DEFAULTS_PROFILE"));
        assertEquals("2s", config.get("SANDBOXRUN_DEFAULTS_CPU"));
        assertEquals("64Mi", config.get("SANDBOXRUN_DEFAULTS_MEMORY"));
        assertEquals("1m", config.get("SANDBOXRUN_CEILINGS_CPU"));
        assertEquals("5m", config.get("SANDBOXRUN_CEILINGS_WALL_CLOCK"));
        assertEquals("2Gi", config.get("SANDBOXRUN_CEILINGS_MEMORY"));
        assertEquals("8Mi", config.get("SANDBOXRUN_CEILINGS_STDOUT"));
        assertEquals("2", config.get("SANDBOXRUN_CEILINGS_CORES"));
        assertEquals("7", config.get("SANDBOXRUN_MAX_CONCURRENT_PODS"));
        assertEquals("true", config.get("SANDBOXRUN_LEADER_ELECTION_ENABLED"));
        assertEquals(Rendered.NAMESPACE, config.get("SANDBOXRUN_LEADER_ELECTION_LEASE_NAMESPACE"));
        assertEquals("sandboxrun-operator-leader", config.get("SANDBOXRUN_LEADER_ELECTION_LEASE_NAME"));

        JsonNode deployment = r.one("Deployment");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        assertTrue(deployment.at("/spec/strategy").isMissingNode(), "rolling updates are safe with leader election");
        JsonNode c = r.operatorContainer();
        assertEquals("registry.example/sandboxrun/operator:1.2.3", c.get("image").asText());
        assertEquals("Always", c.get("imagePullPolicy").asText());
        assertEquals("600Mi", c.at("/resources/limits/memory").asText());
        assertTrue(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scrape").isMissingNode());
        assertTrue(r.ofKind("Service").isEmpty());

        JsonNode leases = r.one("Role", "sandboxrun-leader-election");
        assertEquals(Rendered.NAMESPACE, leases.at("/metadata/namespace").asText());
        assertEquals(Map.of("coordination.k8s.io/leases", Set.of("get", "create", "update")), rules(leases));
        assertEquals(Rendered.NAMESPACE, r.one("RoleBinding", "sandboxrun-leader-election").at("/metadata/namespace").asText());

        JsonNode np = r.one("NetworkPolicy");
        assertEquals("runs", np.at("/metadata/namespace").asText());
        assertDeniesAll(np);
    }

    @Test
    void severalReplicasWithoutLeaderElectionAreRefused() {
        Exception e = assertThrows(Exception.class, () -> Rendered.template(tmp, "operator: {replicas: 3}\n"));
        assertTrue(e.getMessage().contains("leaderElection.enabled"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "maxConcurrentPods: 0",
            "defaults: {profile: permissive}",
            "defaults: {wallClock: 10 seconds}",
            "ceilings: {memory: lots}",
            "watchNamespaces: [Team_A]",
            "operator: {image: {repository: x, pullPolicy: Sometimes}}",
            "launcher: {image: {repository: x, pullPolicy: Always, digest: latest}}",
            "sandboxPods: {runtimeClassName: Not A Name}",
            "operator: {replicaCount: 2}",
            "maxConcurentPods: 5",
    })
    void theSchemaRefusesWrongValues(String values) {
        Exception e = assertThrows(Exception.class, () -> Rendered.template(tmp, values + "\n"));
        assertTrue(e.getMessage().toLowerCase().contains("schema"), values + ": " + e.getMessage());
    }

    @Test
    void everyValueIsDocumentedInTheSchema() throws Exception {
        JsonNode schema = Rendered.YAML.readTree(Files.readString(Rendered.chart().resolve("values.schema.json")));
        JsonNode values = Rendered.YAML.readTree(Files.readString(Rendered.chart().resolve("values.yaml")));
        List<String> undocumented = new ArrayList<>();
        documented(values, schema, "", undocumented);
        assertEquals(List.of(), undocumented, "values without a description in values.schema.json");
    }

    @Test
    void theNetworkPolicySelectsTheLabelTheOperatorPutsOnSandboxPods() throws Exception {
        Path pods = Path.of(Rendered.property("sandboxrun.operator.pods"));
        String source = Files.readString(pods);
        assertEquals("app.kubernetes.io/managed-by", constant(source, "LABEL_MANAGED_BY"), pods.toString());
        assertEquals("sandboxrun-operator", constant(source, "MANAGED_BY"), pods.toString());
        assertEquals("sandboxrun.dev/run", constant(source, "LABEL_RUN"), pods.toString());
    }

    @Test
    void theChartsCrdIsTheGeneratedOne() throws Exception {
        Path generated = Path.of(Rendered.property("sandboxrun.crds"));
        Path inChart = Rendered.chart().resolve("crds");
        Set<String> want = new TreeSet<>();
        try (var s = Files.list(generated)) {
            s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .forEach(p -> want.add(p.getFileName().toString()));
        }
        Set<String> have = new TreeSet<>();
        try (var s = Files.list(inChart)) {
            s.forEach(p -> have.add(p.getFileName().toString()));
        }
        String fix = "copy them: cp crds/*.yml charts/sandboxrun/crds/";
        assertFalse(want.isEmpty(), "no CRD in " + generated);
        assertEquals(want, have, fix);
        for (String name : want) {
            assertEquals(Files.readString(generated.resolve(name)), Files.readString(inChart.resolve(name)),
                    "charts/sandboxrun/crds/" + name + " differs from crds/" + name + ": " + fix);
        }
        // What helm install applies from the chart's crds/ (helm show crds).
        String shown = new Helm(Rendered.chart()).show().crds().call();
        JsonNode crd = Rendered.YAML.readTree(shown);
        assertEquals("CustomResourceDefinition", crd.get("kind").asText());
        assertEquals("sandboxruns.sandboxrun.dev", crd.at("/metadata/name").asText());
        assertEquals(Rendered.YAML.readTree(Files.readString(generated.resolve(want.iterator().next()))), crd);
    }

    static void assertDeniesAll(JsonNode np) {
        JsonNode spec = np.get("spec");
        assertEquals("sandboxrun-operator", spec.at("/podSelector/matchLabels/app.kubernetes.io~1managed-by").asText(), np.toString());
        assertEquals("sandboxrun.dev/run", spec.at("/podSelector/matchExpressions/0/key").asText());
        assertEquals("Exists", spec.at("/podSelector/matchExpressions/0/operator").asText());
        assertEquals("[\"Ingress\",\"Egress\"]", spec.get("policyTypes").toString());
        assertTrue(spec.path("ingress").isEmpty(), "no ingress rule: " + np);
        assertTrue(spec.path("egress").isEmpty(), "no egress rule: " + np);
    }

    /** The optional roles for people who use SandboxRuns (templates/user-roles.yaml). */
    static boolean isUserRole(JsonNode role) {
        return "user-role".equals(role.at("/metadata/labels/app.kubernetes.io~1component").asText());
    }

    static Map<String, Set<String>> rules(JsonNode role) {
        Map<String, Set<String>> m = new TreeMap<>();
        for (JsonNode rule : role.get("rules")) {
            assertTrue(rule.path("resourceNames").isMissingNode());
            for (JsonNode g : rule.get("apiGroups")) {
                for (JsonNode res : rule.get("resources")) {
                    Set<String> verbs = m.computeIfAbsent(g.asText() + "/" + res.asText(), k -> new TreeSet<>());
                    rule.get("verbs").forEach(v -> verbs.add(v.asText()));
                }
            }
        }
        return m;
    }

    static Map<String, String> configOf(Rendered r) {
        Map<String, String> m = new TreeMap<>();
        r.config().fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static String constant(String source, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*\"([^\"]*)\"").matcher(source);
        assertTrue(m.find(), name + " not found");
        return m.group(1);
    }

    /** Every leaf and object of values.yaml has a description in the schema. */
    static void documented(JsonNode value, JsonNode schema, String path, List<String> missing) {
        if (!path.isEmpty() && (schema == null || !schema.hasNonNull("description"))) {
            missing.add(path);
            return;
        }
        if (value.isObject() && schema.has("properties")) {
            value.fields().forEachRemaining(e -> documented(e.getValue(), schema.get("properties").get(e.getKey()),
                    path.isEmpty() ? e.getKey() : path + "." + e.getKey(), missing));
        }
    }
}
