package dev.sandboxrun.operator.pod;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.StdinSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired pod of one attempt of a run: the launcher as entrypoint with the contract's options,
 * the program (and stdin) mounted read-only, hardened beyond Pod Security "restricted".
 */
public final class SandboxPods {
    public static final String CONTAINER = "sandbox";
    public static final String TERMINATION_LOG = "/dev/termination-log";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "sandboxrun-operator";
    public static final String LABEL_RUN = "sandboxrun.dev/run";
    public static final String LABEL_ATTEMPT = "sandboxrun.dev/attempt";
    /** The stdin text, served to the container as a file through the downward API. */
    public static final String ANNOTATION_STDIN = "sandboxrun.dev/stdin";

    public static final String PROGRAM_DIR = "/sandbox/program";
    public static final String PROGRAM_FILE = "program";
    public static final String IMAGE_DIR = "/sandbox/image";
    public static final String STDIN_DIR = "/sandbox/stdin";
    public static final String STDIN_FILE = "stdin";
    public static final long UID = 65534;
    private static final int MODE_EXECUTABLE = 0555;
    private static final int MODE_READABLE = 0444;

    private SandboxPods() {
    }

    public static String podName(String runName, int attempt) {
        return runName + "-run-" + attempt;
    }

    /** Where the launcher finds the program inside the pod. */
    public static String programPath(SandboxRunSpec spec) {
        ProgramSource p = spec.getProgram();
        if (p.getImage() != null) {
            return IMAGE_DIR + p.getImage().getPath();
        }
        return PROGRAM_DIR + "/" + PROGRAM_FILE;
    }

    /** Where the launcher finds stdin inside the pod, or null for empty stdin. */
    public static String stdinPath(SandboxRunSpec spec) {
        StdinSource s = spec.getStdin();
        if (s == null || (s.getText() == null && s.getConfigMap() == null && s.getSecret() == null)) {
            return null;
        }
        return STDIN_DIR + "/" + STDIN_FILE;
    }

    public static Pod desired(SandboxRun run, int attempt, EffectiveLimits limits, PodSettings settings) {
        SandboxRunSpec spec = run.getSpec();
        String name = podName(run.getMetadata().getName(), attempt);
        List<String> argv = LauncherCommand.argv(settings.launcherPath(), limits, programPath(spec), spec.getArgs(),
                stdinPath(spec), TERMINATION_LOG);

        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        programVolume(spec.getProgram(), volumes, mounts);
        stdinVolume(spec.getStdin(), volumes, mounts, annotations);

        Quantity cpu = new Quantity(limits.coresMillis() + "m");
        Quantity memory = new Quantity(String.valueOf(limits.memoryBytes() + settings.memoryOverheadBytes()));
        Quantity storage = new Quantity(settings.ephemeralStorage());
        Map<String, Quantity> resources = Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", storage);

        Container c = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.launcherImage())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand(argv.get(0))
                .withArgs(argv.subList(1, argv.size()))
                .withWorkingDir("/")
                .withTerminationMessagePath(TERMINATION_LOG)
                .withTerminationMessagePolicy("File")
                .withNewResources().withRequests(resources).withLimits(resources).endResources()
                .withNewSecurityContext()
                    .withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID)
                    .withAllowPrivilegeEscalation(false).withPrivileged(false)
                    .withReadOnlyRootFilesystem(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withVolumeMounts(mounts)
                .build();

        Placement placement = spec.getPlacement() == null ? new Placement() : spec.getPlacement();
        long deadline = (limits.wallMs() + 999) / 1000 + settings.deadlineGraceSeconds();

        return new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(run.getMetadata().getNamespace())
                    .addToLabels(LABEL_MANAGED_BY, MANAGED_BY)
                    .addToLabels(LABEL_RUN, run.getMetadata().getName())
                    .addToLabels(LABEL_ATTEMPT, String.valueOf(attempt))
                    .withAnnotations(annotations)
                    .withOwnerReferences(owner(run))
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withActiveDeadlineSeconds(deadline)
                    .withTerminationGracePeriodSeconds(5L)
                    .withHostNetwork(false).withHostPID(false).withHostIPC(false)
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .withContainers(c)
                    .withVolumes(volumes)
                    .withNodeSelector(placement.getNodeSelector())
                    .withTolerations(placement.getTolerations())
                    .withRuntimeClassName(placement.getRuntimeClassName() != null
                            ? placement.getRuntimeClassName() : settings.defaultRuntimeClassName())
                    .withPriorityClassName(placement.getPriorityClassName())
                .endSpec()
                .build();
    }

    public static OwnerReference owner(SandboxRun run) {
        return new OwnerReferenceBuilder()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withUid(run.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static void programVolume(ProgramSource p, List<Volume> volumes, List<VolumeMount> mounts) {
        if (p.getImage() != null) {
            volumes.add(new VolumeBuilder().withName("program")
                    .withNewImage().withReference(p.getImage().getReference()).withPullPolicy("IfNotPresent").endImage()
                    .build());
            mounts.add(mount("program", IMAGE_DIR));
            return;
        }
        KeyToPath item = new KeyToPath(keyOf(p.getConfigMap(), p.getSecret()), MODE_EXECUTABLE, PROGRAM_FILE);
        VolumeBuilder v = new VolumeBuilder().withName("program");
        if (p.getConfigMap() != null) {
            v.withNewConfigMap().withName(p.getConfigMap().getName()).withItems(item)
                    .withDefaultMode(MODE_EXECUTABLE).withOptional(false).endConfigMap();
        } else {
            v.withNewSecret().withSecretName(p.getSecret().getName()).withItems(item)
                    .withDefaultMode(MODE_EXECUTABLE).withOptional(false).endSecret();
        }
        volumes.add(v.build());
        mounts.add(mount("program", PROGRAM_DIR));
    }

    private static void stdinVolume(StdinSource s, List<Volume> volumes, List<VolumeMount> mounts,
                                    Map<String, String> annotations) {
        if (s == null) {
            return;
        }
        VolumeBuilder v = new VolumeBuilder().withName("stdin");
        if (s.getText() != null) {
            annotations.put(ANNOTATION_STDIN, s.getText());
            v.withNewDownwardAPI().addNewItem().withPath(STDIN_FILE).withMode(MODE_READABLE)
                    .withNewFieldRef().withFieldPath("metadata.annotations['" + ANNOTATION_STDIN + "']").endFieldRef()
                    .endItem().withDefaultMode(MODE_READABLE).endDownwardAPI();
        } else if (s.getConfigMap() != null) {
            v.withNewConfigMap().withName(s.getConfigMap().getName())
                    .withItems(new KeyToPath(s.getConfigMap().getKey(), MODE_READABLE, STDIN_FILE))
                    .withDefaultMode(MODE_READABLE).withOptional(false).endConfigMap();
        } else if (s.getSecret() != null) {
            v.withNewSecret().withSecretName(s.getSecret().getName())
                    .withItems(new KeyToPath(s.getSecret().getKey(), MODE_READABLE, STDIN_FILE))
                    .withDefaultMode(MODE_READABLE).withOptional(false).endSecret();
        } else {
            return;
        }
        volumes.add(v.build());
        mounts.add(mount("stdin", STDIN_DIR));
    }

    private static String keyOf(KeyRef configMap, KeyRef secret) {
        return configMap != null ? configMap.getKey() : secret.getKey();
    }

    private static VolumeMount mount(String name, String path) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(true).build();
    }
}
