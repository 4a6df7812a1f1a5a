package dev.sandboxrun.operator.pod;

import dev.sandboxrun.api.RunObjects;
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
        assertEquals("2", p.getMetadata().getLabels().get(RunObjects.LABEL_ATTEMPT));
        assertEquals(UID, p.getMetadata().getLabels().get(RunObjects.LABEL_RUN), "the UID, never the name");
        assertEquals("primes", p.getMetadata().getAnnotations().get(RunObjects.ANNOTATION_RUN_NAME));
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

    @Test
    void theContainerHasRoomForTheLaunchersCopyOfTheProgram() {
        // The launcher copies a program in parts (or one with a digest) into a sealed memory file:
        // pages charged to the container, not to --memory. Without room for them a big program
        // gets the launcher OOM-killed, or the run blamed for memory it never used.
        long base = (64L << 20) + (16L << 20);
        String sha = "5e".repeat(32);
        SandboxRunSpec spec = spec();
        assertEquals(String.valueOf(base), memoryLimit(pod(spec, 1)));
        spec.setProgram(dev.sandboxrun.api.ProgramLayout.source(sha, 3));
        assertEquals(String.valueOf(base + (3L << 20)), memoryLimit(pod(spec, 1)));
        spec.setProgram(dev.sandboxrun.api.ProgramLayout.source(sha, 86));
        assertEquals(String.valueOf(base + (64L << 20)), memoryLimit(pod(spec, 1)), "at most the launcher's 64 MiB");
        ProgramSource single = ProgramSource.configMap("primes-bin", "primes");
        single.setSha256(sha);
        spec.setProgram(single);
        assertEquals(String.valueOf(base + (1L << 20)), memoryLimit(pod(spec, 1)));
        ProgramSource image = new ProgramSource();
        image.setImage(new dev.sandboxrun.api.ImageRef("registry.example/p:1", "/p"));
        image.setSha256(sha);
        spec.setProgram(image);
        assertEquals(String.valueOf(base + (64L << 20)), memoryLimit(pod(spec, 1)));
    }

    private static String memoryLimit(Pod pod) {
        var r = pod.getSpec().getContainers().get(0).getResources();
        assertEquals(r.getLimits().get("memory"), r.getRequests().get("memory"));
        return r.getLimits().get("memory").getAmount();
    }

    @Test
    void aProgramInPartsIsOneReadOnlyProjectedVolumeAndTheLauncherGetsEveryPartAndTheDigest() {
        String sha = "5e".repeat(32);
        SandboxRunSpec spec = spec();
        ProgramSource p = dev.sandboxrun.api.ProgramLayout.source(sha, 2);
        p.getParts().add(dev.sandboxrun.api.PartRef.secret("opted-in-part", "bytes"));
        spec.setProgram(p);
        Pod pod = pod(spec, 1);
        Container c = pod.getSpec().getContainers().get(0);
        List<String> args = c.getArgs();
        assertEquals(List.of("--program-part=/sandbox/program/part-0", "--program-part=/sandbox/program/part-1",
                "--program-part=/sandbox/program/part-2", "--program-sha256=" + sha),
                args.stream().filter(a -> a.startsWith("--program-")).toList());
        // argv[0] is the path a single-file program has: the program sees the same name either way.
        assertEquals("/sandbox/program/program", args.get(args.indexOf("--") + 1));
        var volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("program")).findFirst().orElseThrow();
        var projected = volume.getProjected();
        assertEquals(0444, projected.getDefaultMode());
        assertEquals(3, projected.getSources().size());
        var first = projected.getSources().get(0).getConfigMap();
        assertEquals(dev.sandboxrun.api.ProgramLayout.partName(sha, 0), first.getName());
        assertEquals("part", first.getItems().get(0).getKey());
        assertEquals("part-0", first.getItems().get(0).getPath());
        assertEquals(0444, first.getItems().get(0).getMode());
        assertFalse(first.getOptional());
        var secret = projected.getSources().get(2).getSecret();
        assertEquals("opted-in-part", secret.getName());
        assertEquals("part-2", secret.getItems().get(0).getPath());
        assertEquals(0444, secret.getItems().get(0).getMode());
        // Only volumes that cannot be written, and one container: no shell, no second exec.
        assertEquals(1, pod.getSpec().getContainers().size());
        assertTrue(pod.getSpec().getInitContainers() == null || pod.getSpec().getInitContainers().isEmpty());
        assertTrue(pod.getSpec().getVolumes().stream().allMatch(v -> v.getEmptyDir() == null && v.getHostPath() == null));
        assertTrue(c.getVolumeMounts().stream().allMatch(m -> Boolean.TRUE.equals(m.getReadOnly())));
        assertEquals(List.of("/sandbox/program"), c.getVolumeMounts().stream()
                .filter(m -> m.getName().equals("program")).map(m -> m.getMountPath()).toList());
    }

    @Test
    void aDigestBesideAnImageMakesTheLauncherCheckIt() {
        String sha = "7a".repeat(32);
        SandboxRunSpec spec = spec();
        ProgramSource p = new ProgramSource();
        p.setImage(new ImageRef("registry.example/primes:1", "/bin/primes"));
        p.setSha256(sha);
        spec.setProgram(p);
        List<String> args = pod(spec, 1).getSpec().getContainers().get(0).getArgs();
        assertTrue(args.contains("--program-sha256=" + sha), args.toString());
        assertEquals("/sandbox/image/bin/primes", args.get(args.indexOf("--") + 1));
        assertFalse(args.stream().anyMatch(a -> a.startsWith("--program-part")));
        assertFalse(pod(spec(), 1).getSpec().getContainers().get(0).getArgs().stream()
                .anyMatch(a -> a.startsWith("--program-")), "no digest asked for, none passed");
    }
}
