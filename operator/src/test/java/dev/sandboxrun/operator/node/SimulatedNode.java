package dev.sandboxrun.operator.node;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.operator.cluster.CriLog;
import dev.sandboxrun.operator.cluster.StrictApiServer;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.MockResponse;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the scheduler and the kubelet of one node for sandbox pods, on the strict mock API server
 * ({@link StrictApiServer}, installed by the constructor): the test cluster every operator test uses.
 * It runs the REAL launcher with the pod's command (volumes laid out as files), and keeps the
 * pod's life as a cluster does:
 * <ul>
 * <li>Scheduling: a pod whose nodeSelector the node's labels do not match, or whose memory request
 * exceeds the node's allocatable memory, stays Pending with PodScheduled=False reason Unschedulable
 * and "0/1 nodes are available: ..." (pkg/scheduler/schedule_one.go handleSchedulingFailure; the
 * message from framework.FitError). It never starts, and no kubelet enforces its deadline.</li>
 * <li>Admission: status.startTime is set when the kubelet first syncs the pod, before images are
 * pulled and volumes mounted (pkg/kubelet/status/status_manager.go SetPodStatus / updateStatusInternal
 * keep the first StartTime); the container waits as ContainerCreating meanwhile.</li>
 * <li>Image pulls take a configurable time; a missing image is ErrImagePull, then ImagePullBackOff
 * "Back-off pulling image ..." (pkg/kubelet/images/image_manager.go, images/types.go), for ever.</li>
 * <li>A volume whose ConfigMap or Secret is missing keeps the pod ContainerCreating with Warning
 * events FailedMount "MountVolume.SetUp failed for volume ..." (pkg/kubelet/volumemanager).</li>
 * <li>activeDeadlineSeconds counts from status.startTime, pulls and mounts included
 * (pkg/kubelet/active_deadline.go pastActiveDeadline); when it passes the pod is killed (SIGTERM,
 * SIGKILL after the grace period) and fails with reason DeadlineExceeded, "Pod was active on the
 * node longer than the specified deadline".</li>
 * <li>Container logs as CRI log files ({@link CriLog}): prefix per line, rotation at
 * containerLogMaxSize checked every logMonitorPeriod while the container runs, non-follow reads of
 * the current file only, follow reads streamed (with {@code StreamingMockServer}) from the current
 * file across rotations to the container's end. A node that cannot be reached answers pods/log
 * with an error, and breaks the follow reads open.</li>
 * <li>cgroup v2 OOM: since Kubernetes 1.28 the kubelet sets memory.oom.group=1 on cgroup v2
 * (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go), so an OOM kills every process of the
 * container, launcher included: exit 137, reason OOMKilled, no termination message.</li>
 * <li>Eviction: SIGTERM, then Failed with reason Evicted.</li>
 * </ul>
 */
public final class SimulatedNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedNode.class);
    private static final Pattern ANNOTATION_REF = Pattern.compile("metadata\\.annotations\\['(.+)'\\]");
    public static final String NODE_NAME = "sim-node";

    private final KubernetesClient client;
    public final StrictApiServer api;
    private final Path launcher;
    private final Path root;
    private final Semaphore slots;
    private final ExecutorService lifecycle = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simulated-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "simulated-kubelet-timer");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, UnaryOperator<byte[]>> logTampering = new ConcurrentHashMap<>();
    private final Map<String, Duration> oomKillAfter = new ConcurrentHashMap<>();
    private final Set<String> unreachableLogs = ConcurrentHashMap.newKeySet();
    private final Map<String, Duration> pullTimes = new ConcurrentHashMap<>();
    private final Map<String, String> missingImages = new ConcurrentHashMap<>();
    private final Map<String, String> labels = new ConcurrentHashMap<>(Map.of(
            "kubernetes.io/os", "linux", "kubernetes.io/hostname", NODE_NAME));
    private volatile long allocatableMemory = 8L << 30;
    private volatile long logMaxSize = CriLog.DEFAULT_MAX_SIZE;
    private volatile Duration logMonitorPeriod = Duration.ofSeconds(10);
    private volatile boolean lost;
    /** Pods the node has admitted, by namespace/name. */
    private final Map<String, PodRun> pods = new ConcurrentHashMap<>();
    /** Pods whose launcher has started, by namespace/name: lets a test act mid-run. */
    public final Set<String> started = ConcurrentHashMap.newKeySet();
    /** Launcher wall time per pod, in nanoseconds (the bench's "launcher's own time"). */
    public final Map<String, Long> launcherNanos = new ConcurrentHashMap<>();
    /** Pods this node has run, by name: how many times (a pod must never run twice). */
    public final Map<String, Integer> runs = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;
    private java.util.concurrent.ScheduledFuture<?> logMonitor;

    /** One admitted pod's state on the node. */
    private static final class PodRun {
        final String uid;
        final Instant startTime;
        volatile Process process;
        volatile CriLog log;
        volatile boolean deadlineHit;
        volatile boolean evicted;
        volatile boolean oomKilled;
        volatile boolean finished;
        /** The node under this pod was lost: nothing the container does reaches the API server. */
        volatile boolean nodeLost;
        volatile long storageLimit;
        volatile String evictionMessage = "The node was low on resource: memory.";

        PodRun(String uid, Instant startTime) {
            this.uid = uid;
            this.startTime = startTime;
        }
    }

    public SimulatedNode(KubernetesClient client, KubernetesMockServer server) throws IOException {
        this(client, server, 2);
    }

    /** @param slots pods run at once (the node's CPUs) */
    public SimulatedNode(KubernetesClient client, KubernetesMockServer server, int slots) throws IOException {
        this.client = client;
        this.slots = new Semaphore(slots);
        this.api = StrictApiServer.install(server, true);
        this.api.logSource(new StrictApiServer.LogSource() {
            @Override
            public MockResponse log(String ns, String pod, String query) {
                return serveLog(ns, pod, query);
            }

            @Override
            public StrictApiServer.Follow follow(String ns, String pod) {
                return followLog(ns, pod);
            }
        });
        this.launcher = TestPrograms.launcher();
        this.root = Files.createDirectories(Path.of("target", "simulated-node").toAbsolutePath());
    }

    public SimulatedNode start() {
        informer = client.pods().inAnyNamespace()
                .withLabel(RunObjects.LABEL_MANAGED_BY, RunObjects.MANAGED_BY)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        schedule(pod);
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod pod) {
                        schedule(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                        // The kubelet stops a deleted pod's container: SIGTERM to the launcher.
                        PodRun r = pods.get(key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
                        if (r != null && r.uid.equals(pod.getMetadata().getUid()) && r.process != null) {
                            r.process.toHandle().destroy(); // SIGTERM, keeping the streams open
                        }
                    }
                });
        restartLogMonitor();
        return this;
    }

    // ---- what a test sets ----

    /** The log of pods whose name starts with this prefix is changed before it is served. */
    public void tamperLog(String podPrefix, UnaryOperator<byte[]> f) {
        logTampering.put(podPrefix, f);
    }

    /**
     * Pods whose name starts with this prefix run out of memory this long after their container
     * starts: the whole container is killed (cgroup v2 memory.oom.group), launcher included.
     */
    public void oomKill(String podPrefix, Duration after) {
        oomKillAfter.put(podPrefix, after);
    }

    /** The kubelet cannot be reached for the logs of pods with this prefix (node lost, network). */
    public void logsUnreachable(String podPrefix) {
        unreachableLogs.add(podPrefix);
    }

    /** The node is gone: no log can be read from it any more. */
    public void lose() {
        lost = true;
    }

    /**
     * The node under the pods now running whose names start with this prefix is lost (its kubelet
     * stops answering, its VM is gone); pods created later run elsewhere. Their containers die with
     * no status written, their logs can no longer be read, and once the node object is gone PodGC
     * marks each pod Failed with condition DisruptionTarget (reason DeletionByPodGC) and deletes it
     * at once (pkg/controller/podgc/gc_controller.go: gcOrphaned, markFailedAndDeletePodWithCondition,
     * Kubernetes 1.26 and later), {@code gcAfter} later: on a real cluster, the node monitor grace
     * period, the 300 s unreachable toleration or the node's deletion first.
     */
    public void loseNodeOf(String podPrefix, Duration gcAfter) {
        pods.forEach((key, r) -> {
            String ns = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            if (!name.startsWith(podPrefix) || r.finished) {
                return;
            }
            r.nodeLost = true;
            unreachableLogs.add(name);
            Process p = r.process;
            if (p != null) {
                p.toHandle().destroyForcibly();
            }
            timers.schedule(() -> {
                try {
                    Pod pod = client.pods().inNamespace(ns).withName(name).get();
                    if (pod == null) {
                        return;
                    }
                    retrying(() -> updateStatus(pod, s -> {
                        s.setPhase("Failed");
                        List<PodCondition> conditions = new ArrayList<>(s.getConditions() == null ? List.of()
                                : s.getConditions());
                        conditions.add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                                .withReason("DeletionByPodGC").withMessage("PodGC: node no longer exists")
                                .withLastTransitionTime(Instant.now().toString()).build());
                        s.setConditions(conditions);
                    }));
                    client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
                } catch (Exception e) {
                    LOG.warn("simulated PodGC failed on pod " + name, e);
                }
            }, gcAfter.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** Pulling this image takes this long. */
    public void pullTime(String image, Duration d) {
        pullTimes.put(image, d);
    }

    /** This image cannot be pulled: the registry answers not found. */
    public void missingImage(String image) {
        missingImages.put(image, "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image
                + "\": failed to resolve reference \"" + image + "\": " + image + ": not found");
    }

    public void allocatableMemory(long bytes) {
        this.allocatableMemory = bytes;
    }

    /** containerLogMaxSize and the kubelet's logMonitorPeriod (defaults 10Mi and 10 s). */
    public void logRotation(long maxSize, Duration period) {
        this.logMaxSize = maxSize;
        this.logMonitorPeriod = period;
        restartLogMonitor();
    }

    /** How many times the log of this pod was rotated. */
    public int logRotations(String ns, String pod) {
        PodRun r = pods.get(key(ns, pod));
        return r == null || r.log == null ? 0 : r.log.rotations();
    }

    /** Bytes the container's log took on disk, CRI prefixes included. */
    public long logBytesOnDisk(String ns, String pod) {
        PodRun r = pods.get(key(ns, pod));
        return r == null || r.log == null ? 0 : r.log.bytesWritten();
    }

    /**
     * Evicts a running pod as the kubelet does under node pressure: SIGTERM to the launcher, then
     * the pod Failed with reason Evicted (the container's own termination message kept).
     */
    public void evict(String ns, String name) {
        PodRun r = pods.get(key(ns, name));
        if (r != null) {
            r.evicted = true;
            if (r.process != null) {
                r.process.toHandle().destroy();
            }
        }
    }

    private static String key(String ns, String name) {
        return ns + "/" + name;
    }

    private synchronized void restartLogMonitor() {
        if (logMonitor != null) {
            logMonitor.cancel(false);
        }
        long ms = logMonitorPeriod.toMillis();
        // container_log_manager.go: one periodic pass over the running containers; the eviction
        // manager's pass (evictionMonitoringPeriod, also 10 s) checks their ephemeral storage.
        logMonitor = timers.scheduleAtFixedRate(() -> pods.values().forEach(r -> {
            if (r.process != null && r.process.isAlive() && r.log != null) {
                r.log.rotateIfOver();
                if (r.storageLimit > 0 && r.log.bytesOnDisk() > r.storageLimit && !r.evicted) {
                    // pkg/kubelet/eviction/eviction_manager.go containerEphemeralStorageLimitEviction
                    r.evictionMessage = "Container " + SandboxPods.CONTAINER + " exceeded its local ephemeral "
                            + "storage limit \"" + r.storageLimit + "\". ";
                    r.evicted = true;
                    r.process.toHandle().destroy();
                }
            }
        }), ms, ms, TimeUnit.MILLISECONDS);
    }

    private void schedule(Pod pod) {
        boolean fresh = pod.getStatus() == null || pod.getStatus().getPhase() == null;
        if (fresh && pod.getMetadata().getDeletionTimestamp() == null && seen.add(pod.getMetadata().getUid())) {
            CompletableFuture.runAsync(() -> live(pod), lifecycle).exceptionally(e -> {
                LOG.error("simulated node failed on pod " + pod.getMetadata().getName(), e);
                return null;
            });
        }
    }

    /** Why no node fits the pod (the scheduler's message), or null. */
    private String unschedulable(Pod pod) {
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector != null && !selector.isEmpty() && !selector.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: "
                    + "0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
        }
        Quantity memory = pod.getSpec().getContainers().get(0).getResources().getRequests() == null ? null
                : pod.getSpec().getContainers().get(0).getResources().getRequests().get("memory");
        if (memory != null && memory.getNumericalAmount().longValue() > allocatableMemory) {
            return "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: "
                    + "1 No preemption victims found for incoming pod.";
        }
        return null;
    }

    private void live(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            String why = unschedulable(pod);
            if (why != null) {
                retrying(() -> updateStatus(pod, s -> {
                    s.setPhase("Pending");
                    s.setConditions(List.of(condition("PodScheduled", "False", "Unschedulable", why)));
                }));
                return;
            }
            PodRun run = new PodRun(pod.getMetadata().getUid(), Instant.now());
            pods.put(key(ns, name), run);
            Container c = pod.getSpec().getContainers().get(0);
            retrying(() -> updateStatus(pod, s -> {
                s.setPhase("Pending");
                s.setStartTime(run.startTime.toString());
                s.setConditions(List.of(condition("PodScheduled", "True", null, null)));
                s.setContainerStatuses(List.of(waiting(c, "ContainerCreating", null)));
            }));
            Long deadline = pod.getSpec().getActiveDeadlineSeconds();
            if (deadline != null) {
                timers.schedule(() -> deadlinePassed(pod, run), Duration.between(Instant.now(),
                        run.startTime.plusSeconds(deadline)).toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!pullImages(pod, c, run)) {
                return;
            }
            Path dir = Files.createDirectories(root.resolve(ns + "_" + run.uid)); // a pod name may be 253 long
            Map<String, String> mounts = mountVolumes(pod, c, dir, run);
            if (mounts == null) {
                return;
            }
            slots.acquire();
            try {
                if (!run.deadlineHit && exists(pod)) {
                    runContainer(pod, c, dir, mounts, run);
                }
            } finally {
                slots.release();
            }
        } catch (Exception e) {
            throw new RuntimeException("running pod " + ns + "/" + name, e);
        }
    }

    /** Pulls the launcher image and any image volume; false when the pod cannot go on. */
    private boolean pullImages(Pod pod, Container c, PodRun run) throws Exception {
        List<String> images = new ArrayList<>();
        images.add(c.getImage());
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getImage() != null) {
                images.add(v.getImage().getReference());
            }
        }
        for (String image : images) {
            String missing = missingImages.get(image);
            if (missing != null) {
                retrying(() -> updateStatus(pod, s -> s.setContainerStatuses(List.of(waiting(c, "ErrImagePull",
                        missing)))));
                if (!sleepUnlessOver(pod, run, Duration.ofMillis(500))) {
                    return false;
                }
                retrying(() -> updateStatus(pod, s -> s.setContainerStatuses(List.of(waiting(c, "ImagePullBackOff",
                        "Back-off pulling image \"" + image + "\"")))));
                return false; // it backs off for ever
            }
            if (!sleepUnlessOver(pod, run, pullTimes.getOrDefault(image, Duration.ZERO))) {
                return false;
            }
        }
        return true;
    }

    /** Sleeps unless the deadline passes or the pod goes first; false when it did. */
    private boolean sleepUnlessOver(Pod pod, PodRun run, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (run.deadlineHit) {
                return false;
            }
            Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        return !run.deadlineHit && exists(pod);
    }

    private boolean exists(Pod pod) {
        try {
            Pod p = retrying(() -> client.pods().inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName()).get());
            return p != null && p.getMetadata().getUid().equals(pod.getMetadata().getUid())
                    && p.getMetadata().getDeletionTimestamp() == null;
        } catch (Exception e) {
            return true;
        }
    }

    /** Mounts every volume; while a source is missing, FailedMount events and a retry each second. */
    private Map<String, String> mountVolumes(Pod pod, Container c, Path dir, PodRun run) throws Exception {
        while (true) {
            try {
                return retrying(() -> materialise(pod, c, dir));
            } catch (MissingSource e) {
                retrying(() -> {
                    client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(new EventBuilder()
                            .withNewMetadata().withName(pod.getMetadata().getName() + "." + UUID.randomUUID())
                            .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                            .withNewInvolvedObject().withKind("Pod").withName(pod.getMetadata().getName())
                            .withNamespace(pod.getMetadata().getNamespace()).withUid(run.uid).endInvolvedObject()
                            .withType("Warning").withReason("FailedMount").withMessage(e.getMessage())
                            .withNewSource().withComponent("kubelet").withHost(NODE_NAME).endSource()
                            .withLastTimestamp(Instant.now().toString())
                            .build()).create();
                    return null;
                });
                if (!sleepUnlessOver(pod, run, Duration.ofSeconds(1))) {
                    return null;
                }
            }
        }
    }

    private void deadlinePassed(Pod pod, PodRun run) {
        if (run.finished) {
            return;
        }
        run.deadlineHit = true;
        Process p = run.process;
        if (p != null) {
            p.toHandle().destroy(); // SIGTERM; SIGKILL after the grace period
            long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30
                    : pod.getSpec().getTerminationGracePeriodSeconds();
            timers.schedule(() -> p.toHandle().destroyForcibly(), grace, TimeUnit.SECONDS);
            return; // the container's own end writes the status
        }
        try {
            run.finished = true;
            retrying(() -> updateStatus(pod, s -> {
                s.setPhase("Failed");
                s.setReason("DeadlineExceeded");
                s.setMessage("Pod was active on the node longer than the specified deadline");
            }));
        } catch (Exception e) {
            LOG.warn("cannot write the deadline of pod " + pod.getMetadata().getName(), e);
        }
    }

    private void runContainer(Pod pod, Container c, Path dir, Map<String, String> mounts, PodRun run) throws Exception {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Path termination = dir.resolve("termination-log");
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        for (String arg : c.getArgs()) {
            cmd.add(map(arg, mounts, termination));
        }
        runs.merge(name, 1, Integer::sum);
        CriLog log = new CriLog(logMaxSize, CriLog.DEFAULT_MAX_FILES);
        run.log = log;
        var limits = c.getResources() == null ? null : c.getResources().getLimits();
        if (limits != null && limits.get("ephemeral-storage") != null) {
            run.storageLimit = Quantity.getAmountInBytes(limits.get("ephemeral-storage")).longValue();
        }
        long t0 = System.nanoTime();
        Instant startedAt = Instant.now();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        run.process = p;
        p.getOutputStream().close();
        CompletableFuture<Void> out = pump(p.getInputStream(), "stdout", log);
        CompletableFuture<Void> err = pump(p.getErrorStream(), "stderr", log);
        retrying(() -> updateStatus(pod, s -> {
            s.setPhase("Running");
            s.setContainerStatuses(List.of(new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage()).withReady(true).withRestartCount(0).withStarted(true)
                    .withNewState().withNewRunning().withStartedAt(startedAt.toString()).endRunning().endState()
                    .build()));
        }));
        started.add(key(ns, name));
        oomKillAfter.entrySet().stream().filter(e -> name.startsWith(e.getKey())).findFirst().ifPresent(e ->
                timers.schedule(() -> {
                    if (p.isAlive()) {
                        run.oomKilled = true;
                        p.toHandle().destroyForcibly(); // the group is killed: no one writes a result
                    }
                }, e.getValue().toMillis(), TimeUnit.MILLISECONDS));
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        launcherNanos.put(key(ns, name), System.nanoTime() - t0);
        out.get();
        err.get();
        log.end(); // the container no longer runs: follow reads end once they have read its log
        run.finished = true;
        if (run.nodeLost) {
            return; // no kubelet is left to report the container's end
        }
        Instant finishedAt = Instant.now();
        String message = !run.oomKilled && Files.exists(termination) ? readCapped(termination) : "";
        int exit = run.oomKilled ? 137 : p.exitValue();
        String containerReason = run.oomKilled ? "OOMKilled" : exit == 0 ? "Completed" : "Error";
        String phase = run.evicted || run.deadlineHit || exit != 0 ? "Failed" : "Succeeded";
        String reason = run.evicted ? "Evicted" : run.deadlineHit ? "DeadlineExceeded" : null;
        String podMessage = run.evicted ? run.evictionMessage
                : run.deadlineHit ? "Pod was active on the node longer than the specified deadline" : null;
        retrying(() -> updateStatus(pod, s -> {
            s.setPhase(phase);
            s.setReason(reason);
            s.setMessage(podMessage);
            s.setContainerStatuses(List.of(new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage()).withReady(false).withRestartCount(0)
                    .withStarted(false)
                    .withNewState().withNewTerminated()
                        .withExitCode(exit).withReason(containerReason)
                        .withMessage(message.isEmpty() ? null : message)
                        .withStartedAt(startedAt.toString()).withFinishedAt(finishedAt.toString())
                    .endTerminated().endState()
                    .build()));
        }));
    }

    private static CompletableFuture<Void> pump(InputStream in, String stream, CriLog log) {
        return CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[65536];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    log.write(stream, buf, 0, n, Instant.now());
                }
            } catch (IOException e) {
                // the process was killed: what it wrote so far is in the log
            }
            log.close(stream, Instant.now());
        });
    }

    /** The kubelet's answer to GET pods/log, or null when the pod is unknown here (404). */
    private MockResponse serveLog(String ns, String name, String query) {
        PodRun r = pods.get(key(ns, name));
        if (r == null) {
            return null;
        }
        MockResponse refused = unreachable(ns, name);
        if (refused != null) {
            return refused;
        }
        CriLog log = r.log;
        if (log == null) {
            return waitingToStart(name);
        }
        // On a server without StreamingMockServer a follow read is answered like this one: the
        // current file as it is now, and the end of the answer (the follower reads again).
        byte[] body = log.read();
        for (var e : logTampering.entrySet()) {
            if (name.startsWith(e.getKey())) {
                body = e.getValue().apply(body);
            }
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body);
    }

    /**
     * The kubelet's answer to a follow read (served streaming by StreamingMockServer): from the
     * beginning of the current file, across rotations, to the container's end; a lost node breaks it.
     */
    private StrictApiServer.Follow followLog(String ns, String name) {
        PodRun r = pods.get(key(ns, name));
        if (r == null) {
            return null;
        }
        MockResponse refused = unreachable(ns, name);
        if (refused != null) {
            return new StrictApiServer.Follow(refused, null);
        }
        CriLog log = r.log;
        if (log == null) {
            return new StrictApiServer.Follow(waitingToStart(name), null);
        }
        CriLog.Follow f = log.follow();
        return new StrictApiServer.Follow(null, timeoutMs -> {
            if (unreachable(ns, name) != null) {
                throw new IOException("node " + NODE_NAME + " lost");
            }
            return f.next(timeoutMs, 1 << 16);
        });
    }

    private MockResponse unreachable(String ns, String name) {
        if (lost || unreachableLogs.stream().anyMatch(name::startsWith)) {
            return StrictApiServer.status(500, "InternalError", "Get \"https://" + NODE_NAME
                    + ":10250/containerLogs/" + ns + "/" + name + "/" + SandboxPods.CONTAINER
                    + "\": dial tcp 10.0.0.2:10250: connect: connection refused");
        }
        return null;
    }

    private static MockResponse waitingToStart(String name) {
        return StrictApiServer.status(400, "BadRequest", "container \"" + SandboxPods.CONTAINER + "\" in pod \""
                + name + "\" is waiting to start: ContainerCreating");
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** As a kubelet does, retries what the API server failed (the mock closes connections under load). */
    private static <T> T retrying(Call<T> call) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return call.call();
            } catch (KubernetesClientException e) {
                if (i >= 20 || e.getCode() == 404 || e.getCode() == 422) {
                    throw e;
                }
                Thread.sleep(50L * (i + 1));
            }
        }
    }

    /** Changes the current pod's status, if it is still this pod. */
    private Void updateStatus(Pod pod, Consumer<PodStatus> change) {
        String ns = pod.getMetadata().getNamespace();
        Pod current = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
        if (current == null || !current.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
            return null;
        }
        PodStatus s = current.getStatus() == null ? new PodStatus() : current.getStatus();
        change.accept(s);
        s.setNominatedNodeName(null);
        current.setStatus(s);
        client.pods().inNamespace(ns).resource(current).updateStatus();
        return null;
    }

    private static PodCondition condition(String type, String status, String reason, String message) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(Instant.now().toString()).build();
    }

    private static ContainerStatus waiting(Container c, String reason, String message) {
        return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
                .withRestartCount(0).withStarted(false)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                .build();
    }

    /** A volume's source is missing: the mount fails and is retried. */
    private static final class MissingSource extends Exception {
        MissingSource(String message) {
            super(message);
        }
    }

    /** Lays out each mounted volume under dir; returns mount path to local folder. */
    private Map<String, String> materialise(Pod pod, Container c, Path dir) throws IOException, MissingSource {
        Map<String, String> mounts = new LinkedHashMap<>();
        String ns = pod.getMetadata().getNamespace();
        Map<String, Path> laidOut = new java.util.HashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName()))
                    .findFirst().orElseThrow();
            Path done = laidOut.get(v.getName());
            if (done != null) {
                mounts.put(m.getMountPath(), mountSource(done, m));
                continue;
            }
            Path local = Files.createDirectories(dir.resolve("volumes").resolve(v.getName()));
            if (v.getConfigMap() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
                if (cm == null) {
                    throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : configmap \""
                            + v.getConfigMap().getName() + "\" not found");
                }
                for (KeyToPath item : v.getConfigMap().getItems()) {
                    byte[] bytes = cm.getBinaryData() != null && cm.getBinaryData().containsKey(item.getKey())
                            ? Base64.getDecoder().decode(cm.getBinaryData().get(item.getKey()))
                            : cm.getData() != null && cm.getData().containsKey(item.getKey())
                            ? cm.getData().get(item.getKey()).getBytes(StandardCharsets.UTF_8) : null;
                    if (bytes == null) {
                        throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName()
                                + "\" : configmap references non-existent config key: " + item.getKey());
                    }
                    write(local.resolve(item.getPath()), bytes, mode(item.getMode(), v.getConfigMap().getDefaultMode()));
                }
            } else if (v.getSecret() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
                if (s == null) {
                    throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : secret \""
                            + v.getSecret().getSecretName() + "\" not found");
                }
                for (KeyToPath item : v.getSecret().getItems()) {
                    byte[] bytes = Base64.getDecoder().decode(s.getData().get(item.getKey()));
                    write(local.resolve(item.getPath()), bytes, mode(item.getMode(), v.getSecret().getDefaultMode()));
                }
            } else if (v.getProjected() != null) {
                // One directory holding every source's items (pkg/volume/projected), each written
                // with its item's mode or the volume's defaultMode, laid out as the kubelet's atomic
                // writer does (pkg/volume/util/atomic_writer.go): the files in a hidden timestamped
                // folder, "..data" a symlink to it, and each item a symlink "..data/<path>". A
                // launcher that refuses symlinks meets them here as it would in a pod.
                Path real = local;
                clear(real);   // a mount retried after a later volume was missing
                local = Files.createDirectories(dir.resolve("volumes").resolve(v.getName() + "-view"));
                for (var source : v.getProjected().getSources()) {
                    if (source.getConfigMap() != null) {
                        String n = source.getConfigMap().getName();
                        ConfigMap cm = client.configMaps().inNamespace(ns).withName(n).get();
                        if (cm == null) {
                            throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName()
                                    + "\" : configmap \"" + n + "\" not found");
                        }
                        for (KeyToPath item : source.getConfigMap().getItems()) {
                            byte[] bytes = cm.getBinaryData() != null && cm.getBinaryData().containsKey(item.getKey())
                                    ? Base64.getDecoder().decode(cm.getBinaryData().get(item.getKey()))
                                    : cm.getData() != null && cm.getData().containsKey(item.getKey())
                                    ? cm.getData().get(item.getKey()).getBytes(StandardCharsets.UTF_8) : null;
                            if (bytes == null) {
                                throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName()
                                        + "\" : configmap references non-existent config key: " + item.getKey());
                            }
                            write(local.resolve(item.getPath()), bytes, mode(item.getMode(), v.getProjected().getDefaultMode()));
                        }
                    } else if (source.getSecret() != null) {
                        String n = source.getSecret().getName();
                        Secret sec = client.secrets().inNamespace(ns).withName(n).get();
                        if (sec == null || sec.getData() == null) {
                            throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName()
                                    + "\" : secret \"" + n + "\" not found");
                        }
                        for (KeyToPath item : source.getSecret().getItems()) {
                            String b64 = sec.getData().get(item.getKey());
                            if (b64 == null) {
                                throw new MissingSource("MountVolume.SetUp failed for volume \"" + v.getName()
                                        + "\" : secret references non-existent secret key: " + item.getKey());
                            }
                            write(local.resolve(item.getPath()), Base64.getDecoder().decode(b64),
                                    mode(item.getMode(), v.getProjected().getDefaultMode()));
                        }
                    } else {
                        throw new IllegalStateException("the simulated node cannot project " + source);
                    }
                }
                Path stamp = Files.move(local, real.resolve("..2026_01_01_00_00_00.000000001"));
                Files.createSymbolicLink(real.resolve("..data"), stamp.getFileName());
                try (var items = Files.list(stamp)) {
                    for (Path item : items.toList()) {
                        Files.createSymbolicLink(real.resolve(item.getFileName()),
                                Path.of("..data").resolve(item.getFileName()));
                    }
                }
                local = real;
            } else if (v.getDownwardAPI() != null) {
                for (var item : v.getDownwardAPI().getItems()) {
                    Matcher a = ANNOTATION_REF.matcher(item.getFieldRef().getFieldPath());
                    if (!a.matches()) {
                        throw new IllegalStateException("unsupported downward API field " + item.getFieldRef());
                    }
                    String value = pod.getMetadata().getAnnotations().get(a.group(1));
                    write(local.resolve(item.getPath()), value.getBytes(StandardCharsets.UTF_8),
                            mode(item.getMode(), v.getDownwardAPI().getDefaultMode()));
                }
            } else {
                throw new IllegalStateException("the simulated node cannot mount volume " + v);
            }
            laidOut.put(v.getName(), local);
            mounts.put(m.getMountPath(), mountSource(local, m));
        }
        return mounts;
    }

    /**
     * What a mount shows: the volume's folder, or with subPath the file it names, resolved inside the
     * volume as the kubelet resolves it (pkg/volume/util/subpath), so the container sees the file
     * itself and not the atomic writer's symlink.
     */
    private static String mountSource(Path volume, VolumeMount m) throws IOException {
        if (m.getSubPath() == null || m.getSubPath().isEmpty()) {
            return volume.toString();
        }
        Path real = volume.resolve(m.getSubPath()).toRealPath();
        if (!real.startsWith(volume.toRealPath())) {
            throw new IllegalStateException("subPath " + m.getSubPath() + " leaves its volume");
        }
        return real.toString();
    }

    private static String map(String arg, Map<String, String> mounts, Path termination) {
        if (arg.equals("--result=" + SandboxPods.TERMINATION_LOG)) {
            return "--result=" + termination;
        }
        for (var m : mounts.entrySet()) {
            if (arg.equals(m.getKey()) || arg.endsWith("=" + m.getKey())) {   // a file mounted by subPath
                return arg.substring(0, arg.length() - m.getKey().length()) + m.getValue();
            }
            int at = arg.indexOf(m.getKey() + "/");
            if (at >= 0 && (at == 0 || arg.charAt(at - 1) == '=')) {
                return arg.substring(0, at) + m.getValue() + arg.substring(at + m.getKey().length());
            }
        }
        return arg;
    }

    /** Empties a folder (symlinks removed, not followed). */
    private static void clear(Path folder) throws IOException {
        try (var walk = Files.walk(folder)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(folder)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static int mode(Integer item, Integer dflt) {
        return item != null ? item : dflt != null ? dflt : 0644;
    }

    private static void write(Path file, byte[] bytes, int mode) throws IOException {
        Files.write(file, bytes);
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        Files.setPosixFilePermissions(file, perms);
    }

    private static String readCapped(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return new String(b, 0, Math.min(b.length, 4096), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        pods.values().forEach(r -> {
            if (r.process != null) {
                r.process.destroyForcibly();
            }
        });
        api.logSource(null);
        lifecycle.shutdownNow();
        timers.shutdownNow();
    }
}
