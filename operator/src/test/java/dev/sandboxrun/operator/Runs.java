package dev.sandboxrun.operator;

import dev.sandboxrun.api.Limits;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/** Test helpers: programs in ConfigMaps, SandboxRuns applied, awaited and read back. */
public final class Runs {
    public static final String KEY = "program";

    private final KubernetesClient client;
    private final String ns;

    public Runs(KubernetesClient client, String ns) {
        this.client = client;
        this.ns = ns;
    }

    /** The program in ConfigMap NAME, key {@value #KEY} (binaryData). */
    public void program(String configMap, Path binary) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(binary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(configMap).withNamespace(ns).endMetadata()
                .addToBinaryData(KEY, Base64.getEncoder().encodeToString(bytes)).build())
                .createOr(NonDeletingOperation::update);
    }

    /** A spec running the program of this ConfigMap with these arguments. */
    public static SandboxRunSpec spec(String configMap, String... args) {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramSource.configMap(configMap, KEY));
        spec.setArgs(List.of(args));
        return spec;
    }

    public static SandboxRunSpec withLimits(SandboxRunSpec spec, Consumer<Limits> set) {
        Limits l = spec.getLimits() == null ? new Limits() : spec.getLimits();
        set.accept(l);
        spec.setLimits(l);
        return spec;
    }

    public static SandboxRunSpec withProfile(SandboxRunSpec spec, Profile p) {
        spec.setProfile(p);
        return spec;
    }

    public static SandboxRunSpec withStdin(SandboxRunSpec spec, String text) {
        spec.setStdin(StdinSource.text(text));
        return spec;
    }

    public SandboxRun apply(String name, SandboxRunSpec spec) {
        SandboxRun run = new SandboxRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        run.setSpec(spec);
        return client.resource(run).create();
    }

    /** The name of the pod of this attempt of the run (unique per run UID). */
    public String pod(String run, int attempt) {
        SandboxRun r = get(run);
        if (r == null) {
            throw new AssertionError("no run " + ns + "/" + run);
        }
        return dev.sandboxrun.operator.pod.SandboxPods.podName(r, attempt);
    }

    public SandboxRun get(String name) {
        return retrying(() -> client.resources(SandboxRun.class).inNamespace(ns).withName(name).get());
    }

    /**
     * A read of the test's own, retried when the mock API server drops the connection (it closes
     * idle and busy connections alike; the operator and the node retry theirs the same way).
     */
    public static <T> T retrying(java.util.function.Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (!dropped(e) || attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A connection the server closed under us (no HTTP answer at all), not a refusal. */
    private static boolean dropped(io.fabric8.kubernetes.client.KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t.getClass().getSimpleName().equals("HttpClosedException")) {
                return true;
            }
        }
        return e.getCode() == 0 && e.getStatus() == null;
    }

    public SandboxRunStatus awaitFinished(String name) {
        return awaitFinished(name, Duration.ofSeconds(60));
    }

    public SandboxRunStatus awaitFinished(String name, Duration atMost) {
        await("run " + ns + "/" + name + " finished").atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            SandboxRun r = get(name);
            return r != null && r.getStatus() != null && r.getStatus().isFinished();
        });
        return get(name).getStatus();
    }

    /** The stdout kept in the run's ConfigMaps, reassembled in the order status names them. */
    public byte[] storedStdout(SandboxRunStatus s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String cmName : s.getStdout().getConfigMaps()) {
            ConfigMap cm = retrying(() -> client.configMaps().inNamespace(ns).withName(cmName).get());
            out.writeBytes(Base64.getDecoder().decode(cm.getBinaryData().get(StdoutStore.KEY)));
        }
        return out.toByteArray();
    }
}
