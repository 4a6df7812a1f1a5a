package dev.sandboxrun.operator.pod;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.ObjectNames;
import dev.sandboxrun.api.PartRef;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.PodPaths;
import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.api.StdoutLayout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
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
    /** Key of the stdin ConfigMap: stdin.text is kept in a ConfigMap, never in an annotation. */
    public static final String STDIN_KEY = "stdin";

    public static final long UID = 65534;
    /**
     * Bytes on the node's disk of one frame line beyond its base64 payload, at most: the CRI
     * prefix ({@code <RFC3339Nano> stdout F }: 41 bytes with the line's newline in UTC, 46 with a
     * zone offset such as +01:00; containerd internal/cri/io/logger.go formats the node's local
     * time) and {@code SR1 <input> D <offset> } (up to 38 bytes).
     */
    public static final long FRAME_LINE_OVERHEAD = 46 + 38;
    /** The E frame's line on disk, at most: CRI prefix, {@code SR1 <input> E <bytes> }, 64 hex digits. */
    public static final long END_LINE = 46 + 38 + 64;
    private static final int MODE_EXECUTABLE = 0555;
    private static final int MODE_READABLE = 0444;

    private SandboxPods() {
    }

    /**
     * The pod of one attempt: unique per run UID, so that a run deleted and created again under
     * the same name (kubectl replace --force) never finds the old run's pod, which the garbage
     * collector removes only seconds later.
     */
    public static String podName(SandboxRun run, int attempt) {
        return ObjectNames.withSuffix(run.getMetadata().getName(), "-run-" + attempt + "-" + uidTag(run));
    }

    /** The ConfigMap holding stdin.text for the pod to mount (an annotation could not hold 256 KiB). */
    public static String stdinConfigMapName(SandboxRun run) {
        return ObjectNames.withSuffix(run.getMetadata().getName(), "-stdin-" + uidTag(run));
    }

    /** 8 hex digits of a hash of the run's UID (a UID's own digits need not vary where it is cut). */
    private static String uidTag(SandboxRun run) {
        String uid = run.getMetadata().getUid();
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("run " + run.getMetadata().getName() + " has no uid");
        }
        return StdoutLayout.sha256(uid.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
    }

    /** The ConfigMap with the run's stdin.text, owned by the run; null when stdin is not text. */
    public static ConfigMap stdinConfigMap(SandboxRun run) {
        StdinSource s = run.getSpec().getStdin();
        if (s == null || s.getText() == null) {
            return null;
        }
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(stdinConfigMapName(run))
                    .withNamespace(run.getMetadata().getNamespace())
                    .addToLabels(RunObjects.LABEL_MANAGED_BY, RunObjects.MANAGED_BY)
                    .addToLabels(RunObjects.LABEL_RUN, run.getMetadata().getUid())
                    .addToAnnotations(RunObjects.ANNOTATION_RUN_NAME, run.getMetadata().getName())
                    .withOwnerReferences(owner(run))
                .endMetadata()
                .withImmutable(true)
                .addToData(STDIN_KEY, s.getText())
                .build();
    }

    /**
     * Room on the node's disk for the framed log of up to stdoutMax bytes in a run of wallMs. With
     * frames the log's size follows from the byte count and the wall time, whatever the program
     * writes: a full block of 3072 bytes is one line of 4096 base64 characters, and a partial block
     * is written again at most once a second of quiet (docs/launcher-contract.md), so the log is at
     * most {@code (ceil(S/3072) + ceil(wall/1s)) * (4096 + 84) + 148} bytes, about 1.36 S plus 4 KB a
     * second (8 MiB of stdout in 10 s: 11.5 MB; raw stdout of empty lines took 41 S, 344 MB). Rotation
     * renames the current file and keeps up to
     * containerLogMaxFiles of them, all counted; it gzips a rotated file beside itself before
     * removing it (pkg/kubelet/logs/container_log_manager.go compressLog), so for a moment part of
     * the log exists twice: room for twice the log covers that, whatever the rotation settings.
     */
    public static long logRoom(long stdoutMax, long wallMs) {
        long frames = (stdoutMax + 3071) / 3072 + (wallMs + 999) / 1000;
        return 2 * (frames * (4096 + FRAME_LINE_OVERHEAD) + END_LINE);
    }

    public static Pod desired(SandboxRun run, int attempt, EffectiveLimits limits, PodSettings settings) {
        SandboxRunSpec spec = run.getSpec();
        String name = podName(run, attempt);
        // Framed stdout: a pod's log (CRI lines, rotated, read through the kubelet) keeps every byte
        // only as frames with offsets; see StdoutFollowers.
        List<String> argv = LauncherCommand.argv(settings.launcherPath(), limits, PodPaths.program(spec), spec.getArgs(),
                PodPaths.stdinPath(spec), TERMINATION_LOG, true);

        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(RunObjects.ANNOTATION_RUN_NAME, run.getMetadata().getName());
        programVolume(spec.getProgram(), volumes, mounts);
        stdinVolume(run, volumes, mounts);

        Quantity cpu = new Quantity(limits.coresMillis() + "m");
        Quantity memory = new Quantity(String.valueOf(limits.memoryBytes() + settings.memoryOverheadBytes()
                + programCopyBytes(spec.getProgram())));
        Quantity storage = new Quantity(settings.ephemeralStorage());
        // The container's log counts against its ephemeral-storage limit (the kubelet's eviction
        // manager, pkg/kubelet/eviction/helpers.go podLocalEphemeralStorageUsage). The limit makes
        // room for the log of any stdout within the stdout limit, so that no such output gets the
        // pod evicted; the request (what the scheduler reserves) stays the base.
        Quantity storageLimit = new Quantity(String.valueOf(Quantity.getAmountInBytes(storage).longValue()
                + logRoom(limits.stdoutMaxBytes(), limits.wallMs())));
        Map<String, Quantity> requests = Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", storage);
        Map<String, Quantity> resources = Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", storageLimit);

        Container c = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.launcherImage())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand(argv.get(0))
                .withArgs(argv.subList(1, argv.size()))
                .withWorkingDir("/")
                .withTerminationMessagePath(TERMINATION_LOG)
                .withTerminationMessagePolicy("File")
                .withNewResources().withRequests(requests).withLimits(resources).endResources()
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
        // activeDeadlineSeconds counts from the pod's startTime, set when the kubelet admits it and
        // before images are pulled and volumes mounted (pkg/kubelet/active_deadline.go): the time a
        // pod may take to start is added, so that a slow start never passes for the program's time.
        long deadline = (limits.wallMs() + 999) / 1000 + settings.deadlineGraceSeconds() + settings.startTimeoutSeconds();

        return new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(run.getMetadata().getNamespace())
                    .addToLabels(RunObjects.LABEL_MANAGED_BY, RunObjects.MANAGED_BY)
                    .addToLabels(RunObjects.LABEL_RUN, run.getMetadata().getUid())
                    .addToLabels(RunObjects.LABEL_ATTEMPT, String.valueOf(attempt))
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

    /** The run as the controller of the objects the operator makes for it. */
    public static OwnerReference owner(SandboxRun run) {
        return RunObjects.owner(run, true);
    }

    private static void programVolume(ProgramSource p, List<Volume> volumes, List<VolumeMount> mounts) {
        if (p.getImage() != null) {
            volumes.add(new VolumeBuilder().withName("program")
                    .withNewImage().withReference(p.getImage().getReference()).withPullPolicy("IfNotPresent").endImage()
                    .build());
            mounts.add(mount("program", PodPaths.IMAGE_DIR));
            return;
        }
        if (p.getParts() != null) {
            volumes.add(partsVolume(p.getParts()));
            // The kubelet shows each part as a symlink part-i -> ..data/part-i
            // (pkg/volume/util/atomic_writer.go); the launcher follows it to the regular file.
            mounts.add(mount("program", PodPaths.PROGRAM_DIR));
            return;
        }
        KeyToPath item = new KeyToPath(keyOf(p.getConfigMap(), p.getSecret()), MODE_EXECUTABLE, PodPaths.PROGRAM_FILE);
        VolumeBuilder v = new VolumeBuilder().withName("program");
        if (p.getConfigMap() != null) {
            v.withNewConfigMap().withName(p.getConfigMap().getName()).withItems(item)
                    .withDefaultMode(MODE_EXECUTABLE).withOptional(false).endConfigMap();
        } else {
            v.withNewSecret().withSecretName(p.getSecret().getName()).withItems(item)
                    .withDefaultMode(MODE_EXECUTABLE).withOptional(false).endSecret();
        }
        volumes.add(v.build());
        mounts.add(mount("program", PodPaths.PROGRAM_DIR));
    }

    /**
     * One projected volume with a source per part, part i at {@code part-i}, read-only (0444): the
     * launcher reads the parts into a sealed memory file and runs that, so nothing here is
     * executable, nothing writable, and nothing else (no shell, no second container) touches them.
     */
    /** A ConfigMap or Secret holds at most 1 MiB (pkg/apis/core/validation MaxSecretSize). */
    static final long OBJECT_MAX_BYTES = 1L << 20;

    /**
     * Memory the container needs for the launcher's copy of the program: a program in parts, or
     * one given with its sha256, is copied into a sealed memory file before it runs, and those
     * pages are charged to the container (the launcher wrote them), not to the run's own limit.
     * Without this room a big program would get the launcher OOM-killed, or the run blamed for
     * memory it never used. Bounded from the spec: a part is one object (at most 1 MiB), an image's
     * file at most the launcher's 64 MiB. An image program without sha256 runs in place, unless its
     * mount is noexec: that copy is not provided for (docs/sandboxrun-api.md says to give sha256).
     */
    static long programCopyBytes(ProgramSource p) {
        if (p.getParts() != null) {
            return Math.min(ProgramLayout.PROGRAM_MAX_BYTES, p.getParts().size() * OBJECT_MAX_BYTES);
        }
        if (p.getSha256() == null) {
            return 0;
        }
        return p.getImage() != null ? ProgramLayout.PROGRAM_MAX_BYTES : OBJECT_MAX_BYTES;
    }

    private static Volume partsVolume(List<PartRef> parts) {
        List<VolumeProjection> sources = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            PartRef part = parts.get(i);
            KeyToPath item = new KeyToPath(part.ref().getKey(), MODE_READABLE, "part-" + i);
            VolumeProjectionBuilder b = new VolumeProjectionBuilder();
            if (part.isSecret()) {
                b.withNewSecret().withName(part.ref().getName()).withItems(item).withOptional(false).endSecret();
            } else {
                b.withNewConfigMap().withName(part.ref().getName()).withItems(item).withOptional(false).endConfigMap();
            }
            sources.add(b.build());
        }
        return new VolumeBuilder().withName("program")
                .withNewProjected().withSources(sources).withDefaultMode(MODE_READABLE).endProjected()
                .build();
    }

    private static void stdinVolume(SandboxRun run, List<Volume> volumes, List<VolumeMount> mounts) {
        StdinSource s = run.getSpec().getStdin();
        if (s == null) {
            return;
        }
        VolumeBuilder v = new VolumeBuilder().withName("stdin");
        if (s.getText() != null) {
            v.withNewConfigMap().withName(stdinConfigMapName(run))
                    .withItems(new KeyToPath(STDIN_KEY, MODE_READABLE, PodPaths.STDIN_FILE))
                    .withDefaultMode(MODE_READABLE).withOptional(false).endConfigMap();
        } else if (s.getConfigMap() != null) {
            v.withNewConfigMap().withName(s.getConfigMap().getName())
                    .withItems(new KeyToPath(s.getConfigMap().getKey(), MODE_READABLE, PodPaths.STDIN_FILE))
                    .withDefaultMode(MODE_READABLE).withOptional(false).endConfigMap();
        } else if (s.getSecret() != null) {
            v.withNewSecret().withSecretName(s.getSecret().getName())
                    .withItems(new KeyToPath(s.getSecret().getKey(), MODE_READABLE, PodPaths.STDIN_FILE))
                    .withDefaultMode(MODE_READABLE).withOptional(false).endSecret();
        } else {
            return;
        }
        volumes.add(v.build());
        mounts.add(mount("stdin", PodPaths.STDIN_DIR));
    }

    private static String keyOf(KeyRef configMap, KeyRef secret) {
        return configMap != null ? configMap.getKey() : secret.getKey();
    }

    private static VolumeMount mount(String name, String path) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(true).build();
    }
}
