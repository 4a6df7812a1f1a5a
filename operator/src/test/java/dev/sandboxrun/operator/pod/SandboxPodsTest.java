package dev.sandboxrun.operator.pod;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.ImageRef;
import dev.sandboxrun.api.Limits;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.StdinSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The desired pod: the launcher's command line, the volumes, and the hardening of issue 3 §2. */
class SandboxPodsTest {
    static final PodSettings SETTINGS = new PodSettings("launcher:1", "/sandbox-launch", "IfNotPresent",
            16L << 20, "64Mi", 30);

    static final String UID = "0f2c6e1a-4b5d-4c3e-9a7b-1d2e3f405162";

    static SandboxRun run(SandboxRunSpec spec) {
        SandboxRun run = new SandboxRun();
        run.setMetadata(new ObjectMetaBuilder().withName("primes").withNamespace("ns").withUid(UID).build());
        run.setSpec(spec);
        return run;
    }

    static SandboxRunSpec spec() {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramSource.configMap("primes-bin", "primes"));
        spec.setArgs(List.of("1000"));
        spec.setStdin(StdinSource.text("100\n"));
        Limits l = new Limits();
        l.setCpu("2s");
        l.setWallClock("10s");
        l.setMemory("64Mi");
        l.setCores("500m");
        spec.setLimits(l);
        return spec;
    }

    static Pod pod(SandboxRunSpec spec, int attempt) {
        return SandboxPods.desired(run(spec), attempt,
                EffectiveLimits.resolve(spec, EffectiveLimits.Defaults.CONTRACT), SETTINGS);
    }

    @Test
    void launcherCommandLine() {
        Container c = pod(spec(), 2).getSpec().getContainers().get(0);
        assertEquals(List.of("/sandbox-launch"), c.getCommand());
        assertEquals(List.of("--profile=compute", "--cpu-ms=2000", "--wall-ms=10000", "--memory=67108864",
                "--stdout-max=1048576", "--stdin=/sandbox/stdin/stdin", "--result=/dev/termination-log",
                "--stdout-frames", "--",
                "/sandbox/program/program", "1000"), c.getArgs());
        assertEquals("/dev/termination-log", c.getTerminationMessagePath());
        assertEquals("File", c.getTerminationMessagePolicy());
    }

    @Test
    void nameLabelsAndOwner() {
        Pod p = pod(spec(), 2);
        assertEquals("primes-run-2-722903cb", p.getMetadata().getName(), "unique per run UID");
        assertEquals("2", p.getMetadata().getLabels().get(SandboxPods.LABEL_ATTEMPT));
        assertEquals(UID, p.getMetadata().getLabels().get(SandboxPods.LABEL_RUN), "the UID, never the name");
        assertEquals("primes", p.getMetadata().getAnnotations().get(SandboxPods.ANNOTATION_RUN_NAME));
        assertEquals(UID, p.getMetadata().getOwnerReferences().get(0).getUid());
        assertTrue(p.getMetadata().getOwnerReferences().get(0).getController());
    }

    @Test
    void hardened() {
        Pod p = pod(spec(), 1);
        var ps = p.getSpec();
        assertEquals("Never", ps.getRestartPolicy());
        assertFalse(ps.getAutomountServiceAccountToken());
        assertFalse(ps.getEnableServiceLinks());
        assertEquals(10 + 30 + 300, ps.getActiveDeadlineSeconds(), "wall + grace + the start timeout");
        assertTrue(ps.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", ps.getSecurityContext().getSeccompProfile().getType());
        var sc = ps.getContainers().get(0).getSecurityContext();
        assertTrue(sc.getRunAsNonRoot());
        assertEquals(65534L, sc.getRunAsUser());
        assertEquals(65534L, sc.getRunAsGroup());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertFalse(sc.getPrivileged());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        var r = ps.getContainers().get(0).getResources();
        assertEquals(r.getLimits().get("cpu"), r.getRequests().get("cpu"));
        assertEquals(r.getLimits().get("memory"), r.getRequests().get("memory"));
        assertEquals(new Quantity("500m"), r.getLimits().get("cpu"));
        assertEquals(String.valueOf((64L << 20) + (16L << 20)), r.getLimits().get("memory").getAmount());
        assertEquals(new Quantity("64Mi"), r.getRequests().get("ephemeral-storage"));
        // 1 MiB of stdout in 10 s: 342 full blocks and 10 partial ones of at most 4096 + 84 bytes on
        // disk, and the E line, twice.
        assertEquals(String.valueOf((64L << 20) + 2 * ((342 + 10) * 4180 + 148)),
                r.getLimits().get("ephemeral-storage").getAmount(), "room for 1 MiB of stdout as frames, twice");
        ps.getContainers().get(0).getVolumeMounts().forEach(m -> assertTrue(m.getReadOnly()));
    }

    @Test
    void volumes() {
        Pod p = pod(spec(), 1);
        var program = p.getSpec().getVolumes().get(0).getConfigMap();
        assertEquals("primes-bin", program.getName());
        assertEquals("primes", program.getItems().get(0).getKey());
        assertEquals(0555, program.getItems().get(0).getMode());
        var stdin = p.getSpec().getVolumes().get(1).getConfigMap();
        assertEquals("primes-stdin-722903cb", stdin.getName());
        assertEquals(SandboxPods.STDIN_KEY, stdin.getItems().get(0).getKey());
        var cm = SandboxPods.stdinConfigMap(run(spec()));
        assertEquals(stdin.getName(), cm.getMetadata().getName());
        assertEquals("100\n", cm.getData().get(SandboxPods.STDIN_KEY));
        assertEquals(UID, cm.getMetadata().getOwnerReferences().get(0).getUid());

        SandboxRunSpec img = spec();
        img.setProgram(new ProgramSource());
        img.getProgram().setImage(new ImageRef("registry.example/primes:1.0", "/bin/primes"));
        img.setStdin(null);
        Pod ip = pod(img, 1);
        assertEquals("registry.example/primes:1.0", ip.getSpec().getVolumes().get(0).getImage().getReference());
        List<String> args = ip.getSpec().getContainers().get(0).getArgs();
        assertEquals("/sandbox/image/bin/primes", args.get(args.indexOf("--") + 1));
        assertFalse(args.stream().anyMatch(a -> a.startsWith("--stdin")));
    }

    @Test
    void theConfiguredRuntimeClassAppliesWhereTheSpecNamesNone() {
        PodSettings gvisor = new PodSettings("launcher:1", "/sandbox-launch", "IfNotPresent", 16L << 20, "64Mi", 30,
                "gvisor", 300);
        SandboxRunSpec spec = spec();
        EffectiveLimits limits = EffectiveLimits.resolve(spec, EffectiveLimits.Defaults.CONTRACT);
        assertEquals("gvisor", SandboxPods.desired(run(spec), 1, limits, gvisor).getSpec().getRuntimeClassName());
        assertEquals(null, pod(spec, 1).getSpec().getRuntimeClassName());
        dev.sandboxrun.api.Placement kata = new dev.sandboxrun.api.Placement();
        kata.setRuntimeClassName("kata");
        spec.setPlacement(kata);
        assertEquals("kata", SandboxPods.desired(run(spec), 1, limits, gvisor).getSpec().getRuntimeClassName());
    }
}
