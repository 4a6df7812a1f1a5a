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
import io.quarkus.test.kubernetes.client.KubernetesServer;
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
    private final KubernetesServer server;
    private final Path launcher;
    private final Path root;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, UnaryOperator<byte[]>> logTampering = new ConcurrentHashMap<>();
    /** Pods this node has run, by name: how many times (a pod must never run twice). */
    public final Map<String, Integer> runs = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public SimulatedNode(KubernetesClient client, KubernetesServer server) throws IOException {
        this.client = client;
        this.server = server;
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
                    }
                });
        return this;
    }

    /** The log of pods whose name starts with this prefix is changed before it is served. */
    public void tamperLog(String podPrefix, UnaryOperator<byte[]> f) {
        logTampering.put(podPrefix, f);
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
            Path dir = Files.createDirectories(root.resolve(ns + "_" + name + "_" + pod.getMetadata().getUid()));
            Container c = pod.getSpec().getContainers().get(0);
            Map<String, String> mounts = materialise(pod, c, dir);
            Path termination = dir.resolve("termination-log");
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            for (String arg : c.getArgs()) {
                cmd.add(map(arg, mounts, termination));
            }
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(false).start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            long deadline = pod.getSpec().getActiveDeadlineSeconds() == null ? 600
                    : pod.getSpec().getActiveDeadlineSeconds();
            boolean inTime = p.waitFor(deadline, TimeUnit.SECONDS);
            if (!inTime) {
                p.destroyForcibly().waitFor();
            }
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
            Pod current = client.pods().inNamespace(ns).withName(name).get();
            if (current == null) {
                return;
            }
            current.setStatus(new PodStatusBuilder()
                    .withPhase(exit == 0 ? "Succeeded" : "Failed")
                    .withReason(inTime ? null : "DeadlineExceeded")
                    .withContainerStatuses(new ContainerStatusBuilder()
                            .withName(c.getName()).withImage(c.getImage()).withReady(false).withRestartCount(0)
                            .withNewState().withNewTerminated()
                                .withExitCode(exit).withReason(exit == 0 ? "Completed" : "Error")
                                .withMessage(message.isEmpty() ? null : message)
                            .endTerminated().endState()
                            .build())
                    .build());
            client.pods().inNamespace(ns).resource(current).updateStatus();
        } catch (Exception e) {
            throw new RuntimeException("running pod " + ns + "/" + name, e);
        }
    }

    private void serveLog(String ns, String name, byte[] log) {
        String body = new String(log, StandardCharsets.UTF_8);
        String base = "/api/v1/namespaces/" + ns + "/pods/" + name + "/log";
        for (String path : List.of(base + "?pretty=false&container=" + SandboxPods.CONTAINER,
                base + "?container=" + SandboxPods.CONTAINER, base + "?pretty=false", base)) {
            server.expect().get().withPath(path).andReturn(200, body).always();
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
        pool.shutdownNow();
    }
}
