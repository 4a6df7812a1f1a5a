package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdoutFrames;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stdout of running sandbox pods, followed from the moment a pod runs ({@link #ensure}) and
 * checked once it has ended ({@link #result}, {@link #partial}). A pod's log is not a place to read
 * stdout from after the fact: the kubelet serves only the current log file, rotated at
 * containerLogMaxSize while the container runs. Following it, with the launcher's frames carrying
 * offsets, keeps every byte through rotations; what is lost anyway (a rotation while no follow read
 * was open) is named, never papered over.
 *
 * <p>One follower per pod, keyed by the pod's UID; a follower ends by itself once it has read the E
 * frame, once the pod is gone, or after the container ended and its log was read to the end.
 */
public final class StdoutFollowers implements AutoCloseable {
    /** How long the result waits for the follower to drain an ended container's log. */
    static final long DRAIN_MS = 120_000;
    /**
     * ConfigMap writes in flight at once, over all followers. A write holds several copies of its
     * chunk at a time (base64, the JSON body, the answer echoing it): about 5 MB for a 700 KiB chunk.
     * Unbounded, 50 followers writing at once filled the 384 MiB heap the chart's 512Mi limit gives
     * (bench/operator/RESULTS.md); bounded, the heap is this many writes plus one chunk a follower,
     * whatever the followers. A follower waiting here reads no log meanwhile, as during its own write.
     */
    static final int WRITERS = 4;

    private final java.util.concurrent.Semaphore writers = new java.util.concurrent.Semaphore(WRITERS, true);

    private final Map<String, StdoutFollower> byPod = new ConcurrentHashMap<>();

    /** The pod runs: its log is followed (again, after an operator restart) unless it already is. */
    public void ensure(KubernetesClient client, SandboxRun run, Pod pod, long stdoutMax) {
        // Followers of pods that are gone (deleted after an infrastructure failure) free their chunk.
        byPod.values().removeIf(f -> f.podGone() && !f.alive());
        follower(client, run, pod, stdoutMax);
    }

    /**
     * The pod ended with the launcher's result: the follower drains the log, writes the last chunk,
     * and the stdout kept is checked against the result's count and SHA-256. A byte that could not
     * be read makes the stdout incomplete, with the missing range and the reason; the verdict stands.
     */
    public StatusMapper.CollectedStdout result(KubernetesClient client, SandboxRun run, Pod pod, LauncherResult r) {
        StdoutFollower f = drained(client, run, pod, r.stdoutBytes());
        StdoutFrames.Progress p = f.progress();
        String note = StdoutVerdict.note(f.pod, p, r.stdoutBytes(), r.stdoutSha256(), f.lastError);
        return new StatusMapper.CollectedStdout(f.head(), f.names(), note == null, note);
    }

    /**
     * The pod ended without a result (the launcher was killed with the program, as an OOM kill under
     * cgroup v2 does): the stdout the frames gave until then, never verified.
     */
    public StdoutStore.Partial partial(KubernetesClient client, SandboxRun run, Pod pod, long stdoutMax) {
        StdoutFollower f = drained(client, run, pod, stdoutMax);
        StdoutFrames.Progress p = f.progress();
        String note = "stdout is what the pod's log held in frames when the launcher was killed (" + p.received()
                + " bytes, unverified: the launcher wrote no count or SHA-256" + (f.lastError == null ? ""
                : "; the log: " + f.lastError) + ")";
        return new StdoutStore.Partial(new StatusMapper.CollectedStdout(f.head(), f.names(), false, note),
                p.received(), f.receivedSha256());
    }

    /** Stops every follower (an operator that stops; a process exit ends them anyway). */
    @Override
    public void close() {
        byPod.values().forEach(StdoutFollower::stop);
        byPod.clear();
    }

    /** Followers running now (a test's and a metric's view). */
    public int following() {
        byPod.values().removeIf(f -> !f.alive());
        return byPod.size();
    }

    private StdoutFollower drained(KubernetesClient client, SandboxRun run, Pod pod, long stdoutMax) {
        StdoutFollower f = follower(client, run, pod, stdoutMax);
        f.containerEnded();
        try {
            f.finish(DRAIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.stop();
        }
        f.writeChunk();
        byPod.remove(pod.getMetadata().getUid(), f);
        return f;
    }

    private StdoutFollower follower(KubernetesClient client, SandboxRun run, Pod pod, long stdoutMax) {
        String uid = pod.getMetadata().getUid();
        return byPod.compute(uid, (k, existing) -> {
            // One that ended on its own (E frame read, or the pod gone) keeps its state for the result.
            if (existing != null) {
                return existing;
            }
            StdoutFollower f = new StdoutFollower(client, pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), run.getMetadata().getName(), run.getMetadata().getUid(),
                    SandboxPods.owner(run), stdoutMax, writers);
            f.start();
            return f;
        });
    }
}
