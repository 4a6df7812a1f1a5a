package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Fetches a finished pod's log (the program's stdout, byte for byte), checks it against the
 * launcher's result, and keeps it in ConfigMaps owned by the run: {@code <run>-stdout-<i>}, each
 * with binaryData key {@value #KEY} holding at most {@value #CHUNK_BYTES} bytes.
 */
public final class StdoutStore {
    public static final String KEY = StdoutLayout.KEY;
    public static final int CHUNK_BYTES = StdoutLayout.CHUNK_BYTES;
    public static final String ANNOTATION_OFFSET = StdoutLayout.ANNOTATION_OFFSET;

    private StdoutStore() {
    }

    public static String configMapName(String run, int index) {
        return StdoutLayout.configMapName(run, index);
    }

    /**
     * Reads of a pod's log before giving up. One: the Fabric8 client already retries a 5xx answer
     * (requestRetryBackoffLimit, 10 tries with exponential back-off, about 20 s in all).
     */
    static final int LOG_READS = 1;

    /**
     * Reads the log, stores what it got, and says whether it is exactly what the launcher passed on.
     * A log that cannot be read (node gone, kubelet unreachable) never throws the launcher's verdict
     * away: the result stands with no stdout kept and complete=false, and the reason says why.
     */
    public static StatusMapper.CollectedStdout collect(KubernetesClient client, SandboxRun run, String podName,
                                                       LauncherResult result) {
        byte[] log;
        try {
            log = readLog(client, run.getMetadata().getNamespace(), podName, result.stdoutBytes() + 1);
        } catch (RuntimeException e) {
            return new StatusMapper.CollectedStdout(new byte[0], List.of(), false,
                    "stdout not collected: the log of pod " + podName + " could not be read (" + e.getMessage() + ")");
        }
        String note = null;
        boolean verified = false;
        if (log.length != result.stdoutBytes()) {
            note = "stdout not verified: the log has " + (log.length > result.stdoutBytes() ? "more than " : "")
                    + Math.min(log.length, result.stdoutBytes()) + " bytes, the launcher passed on "
                    + result.stdoutBytes() + (log.length < result.stdoutBytes() ? " (the kubelet serves only the "
                    + "current log file: a log rotated at containerLogMaxSize while the program ran lost its start)" : "");
            log = Arrays.copyOf(log, (int) Math.min(log.length, result.stdoutBytes()));
        } else if (!sha256(log).equals(result.stdoutSha256())) {
            note = "stdout not verified: the log's SHA-256 differs from the launcher's";
        } else {
            verified = true;
        }
        List<String> names = store(client, run, log);
        return new StatusMapper.CollectedStdout(Arrays.copyOf(log, Math.min(log.length, StatusMapper.PREVIEW_BYTES + 4)),
                names, verified, note);
    }

    /**
     * What the log holds of a run whose launcher left no result (killed with the program): kept as
     * it is, never verified (it may include stderr).
     */
    public static Partial collectUnverified(KubernetesClient client, SandboxRun run, String podName, long maxBytes) {
        byte[] log;
        try {
            log = readLog(client, run.getMetadata().getNamespace(), podName, maxBytes);
        } catch (RuntimeException e) {
            return new Partial(new StatusMapper.CollectedStdout(new byte[0], List.of(), false,
                    "stdout not collected: the log of pod " + podName + " could not be read (" + e.getMessage() + ")"),
                    0, sha256(new byte[0]));
        }
        List<String> names = store(client, run, log);
        return new Partial(new StatusMapper.CollectedStdout(Arrays.copyOf(log, Math.min(log.length,
                StatusMapper.PREVIEW_BYTES + 4)), names, false, "stdout is what the pod's log held when the launcher "
                + "was killed (" + log.length + " bytes, unverified)"), log.length, sha256(log));
    }

    /** Stdout kept without the launcher's length and SHA-256 to check it against. */
    public record Partial(StatusMapper.CollectedStdout stdout, long bytes, String sha256) {
    }

    private static byte[] readLog(KubernetesClient client, String ns, String podName, long maxBytes) {
        RuntimeException last = null;
        for (int i = 0; i < LOG_READS; i++) {
            try (InputStream in = client.pods().inNamespace(ns).withName(podName).inContainer(SandboxPods.CONTAINER)
                    .getLogInputStream()) {
                return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes));
            } catch (IOException e) {
                last = new UncheckedIOException(e.getMessage(), e);
            } catch (KubernetesClientException e) {
                last = e;
                if (e.getCode() == 404) {
                    break;
                }
            }
            try {
                Thread.sleep(200L << i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw last;
    }

    /** Writes the chunks (idempotent: same names, same content); returns their names in order. */
    public static List<String> store(KubernetesClient client, SandboxRun run, byte[] bytes) {
        List<String> names = new ArrayList<>();
        String runName = run.getMetadata().getName();
        for (int i = 0, off = 0; off < bytes.length; i++, off += CHUNK_BYTES) {
            int end = Math.min(bytes.length, off + CHUNK_BYTES);
            ConfigMap cm = new ConfigMapBuilder()
                    .withNewMetadata()
                        .withName(configMapName(runName, i))
                        .withNamespace(run.getMetadata().getNamespace())
                        .addToLabels(RunObjects.LABEL_MANAGED_BY, RunObjects.MANAGED_BY)
                        .addToLabels(RunObjects.LABEL_RUN, run.getMetadata().getUid())
                        .addToAnnotations(RunObjects.ANNOTATION_RUN_NAME, runName)
                        .addToAnnotations(ANNOTATION_OFFSET, String.valueOf(off))
                        .withOwnerReferences(SandboxPods.owner(run))
                    .endMetadata()
                    .withImmutable(false)
                    .addToBinaryData(KEY, Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, off, end)))
                    .build();
            client.resource(cm).createOr(NonDeletingOperation::update);
            names.add(cm.getMetadata().getName());
        }
        return names;
    }

    public static String sha256(byte[] bytes) {
        return StdoutLayout.sha256(bytes);
    }
}
