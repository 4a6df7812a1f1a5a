package dev.sandboxrun.operator.node;

import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the kubelet for sandbox pods on the mock API server: when a pod appears, it lays out the
 * pod's volumes as files, runs the REAL launcher with the pod's command (paths mapped to those
 * files), then writes the container's terminated state and termination message into the pod's
 * status and serves the container's output as the pod's log.
 */
public final class SimulatedNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedNode.class);
    private static final Pattern ANNOTATION_REF = Pattern.compile("metadata\\.annotations\\['(.+)'\\]");

    private final KubernetesClient client;
    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final Path launcher;
    private final Path root;
    private final ExecutorService pool;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, UnaryOperator<byte[]>> logTampering = new ConcurrentHashMap<>();
    private final Set<String> oomKillPrefixes = ConcurrentHashMap.newKeySet();
    /** Pods being evicted: their process is stopped and their status says Evicted. */
    private final Set<String> evicted = ConcurrentHashMap.newKeySet();
    /** The launcher process of each running pod, by namespace/name. */
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    /** Pods whose launcher has started, by namespace/name: lets a test act mid-run. */
    public final Set<String> started = ConcurrentHashMap.newKeySet();
    /** Launcher wall time per pod, in nanoseconds (the bench's "launcher's own time"). */
    public final Map<String, Long> launcherNanos = new ConcurrentHashMap<>();
    /** Pods this node has run, by name: how many times (a pod must never run twice). */
    public final Map<String, Integer> runs = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public SimulatedNode(KubernetesClient client, KubernetesMockServer server) throws IOException {
        this(client, server, 2);
    }

    /** @param slots pods run at once (the node's CPUs) */
    @SuppressWarnings("unchecked")
    public SimulatedNode(KubernetesClient client, KubernetesMockServer server, int slots) throws IOException {
        this.client = client;
        this.pool = Executors.newFixedThreadPool(slots);
        try {
            // The mock's expectations, to serve each log as raw bytes (its DSL only takes text bodies).
            var f = io.fabric8.mockwebserver.DefaultMockServer.class.getDeclaredField("responses");
            f.setAccessible(true);
            this.expectations = (Map<ServerRequest, Queue<ServerResponse>>) f.get(server);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the mock server's expectations", e);
        }
        this.launcher = TestPrograms.launcher();
        this.root = Files.createDirectories(Path.of("target", "simulated-node").toAbsolutePath());
    }

    public SimulatedNode start() {
        informer = client.pods().inAnyNamespace()
                .withLabel(SandboxPods.LABEL_MANAGED_BY, SandboxPods.MANAGED_BY)
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
                        Process p = running.get(key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
                        if (p != null) {
                            p.toHandle().destroy(); // SIGTERM, keeping the streams open (Process.destroy closes them)
                        }
                    }
                });
        return this;
    }

    /** The log of pods whose name starts with this prefix is changed before it is served. */
    public void tamperLog(String podPrefix, UnaryOperator<byte[]> f) {
        logTampering.put(podPrefix, f);
    }

    /** Pods whose name starts with this prefix are OOMKilled: exit 137, reason OOMKilled, no message. */
    public void oomKill(String podPrefix) {
        oomKillPrefixes.add(podPrefix);
    }

    /**
     * Evicts a running pod as the kubelet does under node pressure: SIGTERM to the launcher, then
     * the pod Failed with reason Evicted (the container's own termination message kept).
     */
    public void evict(String ns, String name) {
        evicted.add(key(ns, name));
        Process p = running.get(key(ns, name));
        if (p != null) {
            p.toHandle().destroy(); // SIGTERM, keeping the streams open (Process.destroy closes them)
        }
    }

    private static String key(String ns, String name) {
        return ns + "/" + name;
    }

    private void schedule(Pod pod) {
        boolean pending = pod.getStatus() == null || pod.getStatus().getPhase() == null;
        if (pending && pod.getMetadata().getDeletionTimestamp() == null && seen.add(pod.getMetadata().getUid())) {
            CompletableFuture.runAsync(() -> run(pod), pool).exceptionally(e -> {
                LOG.error("simulated node failed on pod " + pod.getMetadata().getName(), e);
                return null;
            });
        }
    }

    private void run(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        runs.merge(name, 1, Integer::sum);
        try {
            if (oomKillPrefixes.stream().anyMatch(name::startsWith)) {
                serveLog(ns, name, new byte[0]);
                retrying(() -> writeStatus(pod, "Failed", null, null, 137, "OOMKilled", null));
                return;
            }
            Path dir = Files.createDirectories(root.resolve(ns + "_" + name + "_" + pod.getMetadata().getUid()));
            Container c = pod.getSpec().getContainers().get(0);
            Map<String, String> mounts = retrying(() -> materialise(pod, c, dir));
            Path termination = dir.resolve("termination-log");
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            for (String arg : c.getArgs()) {
                cmd.add(map(arg, mounts, termination));
            }
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(false).start();
            running.put(key(ns, name), p);
            started.add(key(ns, name));
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            long deadline = pod.getSpec().getActiveDeadlineSeconds() == null ? 600
                    : pod.getSpec().getActiveDeadlineSeconds();
            boolean inTime = p.waitFor(deadline, TimeUnit.SECONDS);
            if (!inTime) {
                p.destroyForcibly().waitFor();
            }
            launcherNanos.put(key(ns, name), System.nanoTime() - t0);
            running.remove(key(ns, name));
            byte[] stdout = out.get();
            byte[] stderr = err.get();
            byte[] log = new byte[stdout.length + stderr.length];
            System.arraycopy(stdout, 0, log, 0, stdout.length);
            System.arraycopy(stderr, 0, log, stdout.length, stderr.length);
            for (var e : logTampering.entrySet()) {
                if (name.startsWith(e.getKey())) {
                    log = e.getValue().apply(log);
                }
            }
            serveLog(ns, name, log);
            String message = Files.exists(termination) ? readCapped(termination) : "";
            int exit = inTime ? p.exitValue() : 137;
            if (evicted.contains(key(ns, name))) {
                retrying(() -> writeStatus(pod, "Failed", "Evicted", "The node was low on resource: memory.", exit,
                        "Error", message));
                return;
            }
            boolean ok = inTime;
            retrying(() -> writeStatus(pod, exit == 0 ? "Succeeded" : "Failed", ok ? null : "DeadlineExceeded", null,
                    exit, exit == 0 ? "Completed" : "Error", message));
        } catch (Exception e) {
            throw new RuntimeException("running pod " + ns + "/" + name, e);
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** As a kubelet does, retries what the API server failed (the mock closes connections under load). */
    private static <T> T retrying(Call<T> call) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return call.call();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (i >= 20 || e.getCode() == 404) {
                    throw e;
                }
                Thread.sleep(50L * (i + 1));
            }
        }
    }

    private Void writeStatus(Pod pod, String phase, String reason, String podMessage, int exit,
                             String containerReason, String message) {
        String ns = pod.getMetadata().getNamespace();
        Container c = pod.getSpec().getContainers().get(0);
        Pod current = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
        if (current == null || !current.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
            return null;
        }
        current.setStatus(new PodStatusBuilder()
                .withPhase(phase)
                .withReason(reason)
                .withMessage(podMessage)
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName(c.getName()).withImage(c.getImage()).withReady(false).withRestartCount(0)
                        .withNewState().withNewTerminated()
                            .withExitCode(exit).withReason(containerReason)
                            .withMessage(message == null || message.isEmpty() ? null : message)
                        .endTerminated().endState()
                        .build())
                .build());
        client.pods().inNamespace(ns).resource(current).updateStatus();
        return null;
    }

    /** Serves the pod's log as these exact bytes (no charset round trip), for every way it is asked for. */
    private void serveLog(String ns, String name, byte[] log) {
        String base = "/api/v1/namespaces/" + ns + "/pods/" + name + "/log";
        ServerResponse body = new BytesResponse(log);
        synchronized (expectations) {
            for (String path : List.of(base + "?pretty=false&container=" + SandboxPods.CONTAINER,
                    base + "?container=" + SandboxPods.CONTAINER, base + "?pretty=false", base)) {
                Queue<ServerResponse> q = new java.util.concurrent.ConcurrentLinkedQueue<>();
                q.add(body);
                expectations.put(new SimpleRequest(HttpMethod.GET, path), q);
            }
        }
    }

    private record BytesResponse(byte[] body) implements ServerResponse {
        @Override
        public boolean isRepeatable() {
            return true;
        }

        @Override
        public MockResponse toMockResponse(RecordedRequest request) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body);
        }
    }

    /** Lays out each mounted volume under dir; returns mount path to local folder. */
    private Map<String, String> materialise(Pod pod, Container c, Path dir) throws IOException {
        Map<String, String> mounts = new LinkedHashMap<>();
        String ns = pod.getMetadata().getNamespace();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName()))
                    .findFirst().orElseThrow();
            Path local = Files.createDirectories(dir.resolve("volumes").resolve(v.getName()));
            if (v.getConfigMap() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
                for (KeyToPath item : v.getConfigMap().getItems()) {
                    byte[] bytes = cm.getBinaryData() != null && cm.getBinaryData().containsKey(item.getKey())
                            ? Base64.getDecoder().decode(cm.getBinaryData().get(item.getKey()))
                            : cm.getData().get(item.getKey()).getBytes(StandardCharsets.UTF_8);
                    write(local.resolve(item.getPath()), bytes, mode(item.getMode(), v.getConfigMap().getDefaultMode()));
                }
            } else if (v.getSecret() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
                for (KeyToPath item : v.getSecret().getItems()) {
                    byte[] bytes = Base64.getDecoder().decode(s.getData().get(item.getKey()));
                    write(local.resolve(item.getPath()), bytes, mode(item.getMode(), v.getSecret().getDefaultMode()));
                }
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
            mounts.put(m.getMountPath(), local.toString());
        }
        return mounts;
    }

    private static String map(String arg, Map<String, String> mounts, Path termination) {
        if (arg.equals("--result=" + SandboxPods.TERMINATION_LOG)) {
            return "--result=" + termination;
        }
        for (var m : mounts.entrySet()) {
            int at = arg.indexOf(m.getKey() + "/");
            if (at >= 0 && (at == 0 || arg.charAt(at - 1) == '=')) {
                return arg.substring(0, at) + m.getValue() + arg.substring(at + m.getKey().length());
            }
        }
        return arg;
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

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        running.values().forEach(Process::destroyForcibly);
        pool.shutdownNow();
    }
}
