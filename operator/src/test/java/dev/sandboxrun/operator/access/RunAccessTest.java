package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.StdinSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole check as the reconciler calls it: Secrets as program or stdin, then placement. */
class RunAccessTest {
    static final String NS = "team-a";

    static Secret secret(String name, Map<String, String> labels) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .addToData("key", "c2VjcmV0").build();
    }

    static SandboxRun run(ProgramSource program, StdinSource stdin, Placement placement) {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(program);
        spec.setStdin(stdin);
        spec.setPlacement(placement);
        SandboxRun run = new SandboxRun();
        run.setMetadata(new ObjectMetaBuilder().withName("r").withNamespace(NS).build());
        run.setSpec(spec);
        return run;
    }

    static ProgramSource programSecret(String name) {
        ProgramSource p = new ProgramSource();
        p.setSecret(new KeyRef(name, "key"));
        return p;
    }

    static StdinSource stdinSecret(String name) {
        StdinSource s = new StdinSource();
        s.setSecret(new KeyRef(name, "key"));
        return s;
    }

    static AccessPolicy listing(String... secrets) {
        return new AccessPolicy(Set.of(secrets), List.of(), Set.of(), Set.of());
    }

    /** A lookup over these Secrets that records each name asked for. */
    static final class Cluster implements SecretLookup {
        final Map<String, Secret> secrets = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        Cluster with(Secret s) {
            secrets.put(s.getMetadata().getName(), s);
            return this;
        }

        @Override
        public Secret get(String name) {
            asked.add(name);
            return secrets.get(name);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} label={1} policy={2} as {3}: allowed={4}")
    @CsvSource({
            // secret,  label value, policy lists,  used as, allowed
            "db-pass,   -,           -,             stdin,   false",
            "db-pass,   -,           -,             program, false",
            "db-pass,   false,       -,             stdin,   false",
            "db-pass,   TRUE,        -,             stdin,   false",
            "db-pass,   yes,         -,             program, false",
            "db-pass,   true,        -,             stdin,   true",
            "db-pass,   true,        -,             program, true",
            "db-pass,   -,           team-a/db-pass, stdin,  true",
            "db-pass,   -,           team-a/*,      program, true",
            "db-pass,   -,           team-b/db-pass, stdin,  false",
            "db-pass,   -,           team-b/*,      stdin,   false",
            "db-pass,   -,           team-a/other,  stdin,   false",
    })
    void aSecretNeedsItsOwnOptInOrTheAdministrators(String name, String label, String listed, String use, boolean allowed) {
        Map<String, String> labels = "-".equals(label) ? Map.of("app", "db") : Map.of(SecretOptIn.LABEL, label);
        Cluster cluster = new Cluster().with(secret(name, labels));
        AccessPolicy policy = "-".equals(listed) ? AccessPolicy.NONE : listing(listed);
        SandboxRun run = "program".equals(use) ? run(programSecret(name), null, null)
                : run(ProgramSource.configMap("bin", "program"), stdinSecret(name), null);

        Optional<Denial> d = new RunAccess(policy).check(run, cluster);

        assertEquals(List.of(name), cluster.asked);
        assertEquals(allowed, d.isEmpty(), d.map(Denial::message).orElse("allowed"));
        d.ifPresent(x -> {
            assertEquals("InvalidSpec", x.verdict().name());
            assertEquals("spec." + use + ".secret: Secret team-a/" + name + " is not open to SandboxRuns; its owner"
                    + " can label it sandboxrun.dev/allow-runs=true, or an administrator can list it in the"
                    + " operator's access.secrets", x.message());
        });
    }

    @Test
    void aMissingSecretIsLeftToTheSourceWaitAndCheckedOnceItExists() {
        Cluster cluster = new Cluster();
        RunAccess access = new RunAccess(AccessPolicy.NONE);
        SandboxRun run = run(programSecret("later"), null, null);
        assertEquals(Optional.empty(), access.check(run, cluster));
        cluster.with(secret("later", Map.of()));
        assertTrue(access.check(run, cluster).isPresent());
    }

    @Test
    void configMapsAndTextNeedNoSecretLookup() {
        Cluster cluster = new Cluster();
        assertEquals(Optional.empty(), new RunAccess(AccessPolicy.NONE)
                .check(run(ProgramSource.configMap("bin", "program"), StdinSource.text("hi"), null), cluster));
        assertEquals(List.of(), cluster.asked);
    }

    @Test
    void bothSecretsAreCheckedProgramFirst() {
        Cluster cluster = new Cluster().with(secret("prog", Map.of(SecretOptIn.LABEL, "true")))
                .with(secret("input", Map.of()));
        Optional<Denial> d = new RunAccess(AccessPolicy.NONE).check(run(programSecret("prog"), stdinSecret("input"), null),
                cluster);
        assertEquals(List.of("prog", "input"), cluster.asked);
        assertTrue(d.orElseThrow().message().startsWith("spec.stdin.secret: Secret team-a/input "), d.toString());
    }

    @Test
    void placementIsRefusedBeforeAnySecretIsRead() {
        Placement p = new Placement();
        p.setTolerations(List.of(new Toleration("NoSchedule", "gpu", "Exists", null, null)));
        Cluster cluster = new Cluster().with(secret("s", Map.of()));
        SandboxRun run = run(programSecret("s"), null, p);
        RunAccess access = new RunAccess(AccessPolicy.NONE);
        Optional<Denial> d = access.check(run, cluster);
        assertTrue(d.orElseThrow().message().startsWith("spec.placement.tolerations[0] (key=gpu"), d.toString());
        assertEquals(List.of(), cluster.asked);
        assertEquals(d, access.checkPlacement(run));
    }
}
