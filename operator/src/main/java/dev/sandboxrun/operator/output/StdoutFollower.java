package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdoutFrames;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows one sandbox pod's log (GET pods/log?follow=true) on a thread of its own, decodes the
 * launcher's frames ({@link StdoutFrames}) and writes the stdout into the run's ConfigMaps as each
 * chunk fills: memory stays at one chunk whatever the output. A follow read starts at the beginning
 * of the current log file and goes on across rotations until the container has ended and the file
 * is drained (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs); one that breaks is opened again, and
 * frames read twice are harmless. What the ConfigMaps of this pod already hold (an operator that
 * restarted) is read back first and not written again.
 */
final class StdoutFollower implements Runnable {
    private static final Logger LOG = Logger.getLogger(StdoutFollower.class);
    /** ConfigMap annotation: the pod whose stdout the chunk holds (an earlier attempt's is not ours). */
    static final String ANNOTATION_POD = "sandboxrun.dev/pod";
    /** Chunks end on frame boundaries: what a restarted follower reads back is whole frames. */
    static final int CHUNK = StdoutLayout.CHUNK_BYTES / StdoutFrames.PAYLOAD * StdoutFrames.PAYLOAD;
    private static final long BACKOFF_MIN_MS = 200;
    private static final long BACKOFF_MAX_MS = 5000;
    /** Reads of an ended container's log that fail before its stdout is given up. */
    private static final int READS_AFTER_END = 3;

    private final KubernetesClient client;
    final String ns;
    final String pod;
    private final String runName;
    private final String runUid;
    private final OwnerReference owner;
    final long cap;
    private final StdoutFrames frames;
    private byte[] chunk;
    private int chunkLen;
    private int chunkIndex;
    private final byte[] head = new byte[StatusMapper.PREVIEW_BYTES + 4];
    private int headLen;
    private final List<String> names = new ArrayList<>();
    private volatile boolean containerEnded;
    private volatile boolean stopped;
    private volatile boolean podGone;
    private volatile InputStream open;
    /** Why the last read of the log failed; null once one succeeded. */
    volatile String lastError;
    private final Thread thread;
    private final Object wake = new Object();
    /** Shared by the followers: the writes in flight at once (StdoutFollowers.WRITERS). */
    private final Semaphore writers;

    StdoutFollower(KubernetesClient client, String ns, String pod, String runName, String runUid, OwnerReference owner,
                   long cap, Semaphore writers) {
        this.client = client;
        this.ns = ns;
        this.pod = pod;
        this.runName = runName;
        this.runUid = runUid;
        this.owner = owner;
        this.cap = cap;
        this.writers = writers;
        this.frames = new StdoutFrames(1, cap, this::accept);
        this.thread = new Thread(this, "stdout-follow-" + pod);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** The pod no longer exists (its log answered 404): nothing more will come. */
    boolean podGone() {
        return podGone;
    }

    /** The container has ended: read the log to its end once more if needed, then stop. */
    void containerEnded() {
        containerEnded = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Waits for the thread to finish, at most this long; then stops it. */
    void finish(long millis) throws InterruptedException {
        thread.join(millis);
        if (thread.isAlive()) {
            stop();
            thread.join(10_000);
        }
    }

    void stop() {
        stopped = true;
        InputStream in = open;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
        thread.interrupt();
    }

    @Override
    public void run() {
        try {
            readBack();
            long backoff = BACKOFF_MIN_MS;
            int failuresAfterEnd = 0;
            while (!stopped) {
                boolean endedBefore = containerEnded;
                try {
                    follow();
                    lastError = null;
                    backoff = BACKOFF_MIN_MS;
                } catch (PodGone e) {
                    podGone = true;
                    lastError = e.getMessage();
                    return;
                } catch (IOException | RuntimeException e) {
                    if (stopped) {
                        return;
                    }
                    lastError = e.getMessage() == null ? e.toString() : e.getMessage();
                    if (endedBefore && ++failuresAfterEnd >= READS_AFTER_END) {
                        return;
                    }
                }
                if (frames.progress(0).endBytes() != null && frames.progress(0).received() >= frames.progress(0)
                        .endBytes()) {
                    return; // every byte the E frame counts is here
                }
                if (endedBefore && lastError == null) {
                    return; // a whole read of the ended container's log: there is no more
                }
                synchronized (wake) {
                    wake.wait(containerEnded && !endedBefore ? 1 : backoff);
                }
                backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.warnf(e, "following the log of pod %s/%s failed", ns, pod);
        }
    }

    /** One follow read, to its end. */
    private void follow() throws IOException {
        String url = URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces", ns, "pods", pod, "log")
                + "?container=" + URLEncoder.encode(SandboxPods.CONTAINER, StandardCharsets.UTF_8) + "&follow=true";
        // The client's own HTTP request, not the DSL's watchLog: that one hands an error answer's
        // body over as if it were the log.
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url).forStreaming().build();
        HttpResponse<InputStream> response;
        try {
            response = client.getHttpClient().sendAsync(request, InputStream.class).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the log of pod " + pod + " could not be read (" + (e.getCause() == null ? e
                    : e.getCause()).getMessage() + ")", e);
        }
        try (InputStream in = response.body()) {
            if (response.code() != 200) {
                String body = in == null ? "" : new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                String message = statusMessage(body);
                if (response.code() == 404) {
                    throw new PodGone("pod " + pod + " is gone (" + message + ")");
                }
                throw new IOException("the log of pod " + pod + " could not be read (HTTP " + response.code() + ": "
                        + message + ")");
            }
            open = in;
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                frames.feed(buf, 0, n);
            }
        } finally {
            open = null;
            frames.endOfLog();
        }
    }

    private static String statusMessage(String body) {
        int at = body.indexOf("\"message\":\"");
        if (at < 0) {
            return body.length() > 300 ? body.substring(0, 300) : body;
        }
        int end = body.indexOf('"', at + 11);
        return body.substring(at + 11, end < 0 ? body.length() : end);
    }

    /** New bytes, in order: into the chunk, which is written out when full. */
    private void accept(int input, long offset, byte[] data, int off, int len) {
        if (headLen < head.length) {
            int n = Math.min(len, head.length - headLen);
            System.arraycopy(data, off, head, headLen, n);
            headLen += n;
        }
        while (len > 0) {
            if (chunk == null) {
                chunk = new byte[CHUNK];
            }
            if (chunkLen == CHUNK) {
                writeChunk(); // a write that failed before: again, before anything more is taken
            }
            int n = Math.min(len, CHUNK - chunkLen);
            System.arraycopy(data, off, chunk, chunkLen, n);
            chunkLen += n;
            off += n;
            len -= n;
            if (chunkLen == CHUNK) {
                writeChunk();
            }
        }
    }

    /** Writes the chunk being filled (also a partial one, at the end). */
    void writeChunk() {
        if (chunkLen == 0) {
            return;
        }
        String name = StdoutLayout.configMapName(runName, chunkIndex);
        // Uninterruptibly: a stopped follower's last chunk still goes out, after the writes ahead.
        writers.acquireUninterruptibly();
        try {
            write(name);
        } finally {
            writers.release();
        }
        if (names.size() == chunkIndex) {
            names.add(name);
        }
        if (chunkLen == CHUNK) {
            chunkIndex++;
            chunkLen = 0;
        }
    }

    private void write(String name) {
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .addToLabels(RunObjects.LABEL_MANAGED_BY, RunObjects.MANAGED_BY)
                    .addToLabels(RunObjects.LABEL_RUN, runUid)
                    .addToAnnotations(RunObjects.ANNOTATION_RUN_NAME, runName)
                    .addToAnnotations(StdoutLayout.ANNOTATION_OFFSET, String.valueOf((long) chunkIndex * CHUNK))
                    .addToAnnotations(ANNOTATION_POD, pod)
                    .withOwnerReferences(owner)
                .endMetadata()
                .addToBinaryData(StdoutLayout.KEY, Base64.getEncoder().encodeToString(
                        chunkLen == chunk.length ? chunk : Arrays.copyOf(chunk, chunkLen)))
                .build();
        writing(() -> client.resource(cm).createOr(NonDeletingOperation::update));
    }

    /** The ConfigMaps of this pod written before (by an operator that has since restarted). */
    private void readBack() {
        for (int i = 0; ; i++) {
            String name = StdoutLayout.configMapName(runName, i);
            ConfigMap cm = writing(() -> client.configMaps().inNamespace(ns).withName(name).get());
            if (cm == null || cm.getMetadata().getAnnotations() == null
                    || !pod.equals(cm.getMetadata().getAnnotations().get(ANNOTATION_POD))
                    || !String.valueOf((long) i * CHUNK).equals(cm.getMetadata().getAnnotations()
                    .get(StdoutLayout.ANNOTATION_OFFSET))
                    || cm.getBinaryData() == null || cm.getBinaryData().get(StdoutLayout.KEY) == null) {
                return;
            }
            byte[] b;
            try {
                b = Base64.getDecoder().decode(cm.getBinaryData().get(StdoutLayout.KEY));
            } catch (IllegalArgumentException e) {
                return;
            }
            if (b.length > CHUNK || (long) i * CHUNK + b.length > cap) {
                return;
            }
            frames.known(0, b, 0, b.length);
            if (headLen < head.length) {
                int n = Math.min(b.length, head.length - headLen);
                System.arraycopy(b, 0, head, headLen, n);
                headLen += n;
            }
            names.add(name);
            if (b.length < CHUNK) {
                chunk = Arrays.copyOf(b, CHUNK); // the last chunk, written at the end: it goes on from here
                chunkLen = b.length;
                chunkIndex = i;
                return;
            }
            chunkIndex = i + 1;
        }
    }

    StdoutFrames.Progress progress() {
        return frames.progress(0);
    }

    String receivedSha256() {
        return frames.receivedSha256(0);
    }

    List<String> names() {
        return List.copyOf(names);
    }

    byte[] head() {
        return Arrays.copyOf(head, headLen);
    }

    /** The API server drops connections under load: a write is tried a few times. */
    private <T> T writing(java.util.function.Supplier<T> call) {
        KubernetesClientException last = null;
        for (int i = 0; i < 5; i++) {
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                last = e;
                if (e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 409 && e.getCode() != 429) {
                    throw e;
                }
                try {
                    Thread.sleep(100L << i);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    /** The pod's log answered 404. */
    private static final class PodGone extends IOException {
        PodGone(String message) {
            super(message);
        }
    }
}
