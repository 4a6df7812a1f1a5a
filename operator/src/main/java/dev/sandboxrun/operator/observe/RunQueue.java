package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.decide.Decide;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The queue of runs behind the pod cap, read from the informer caches alone (the sandbox pods'
 * event source, the runs' own cache), never the API server: deciding costs the same with 10 or
 * 10,000 runs in the cluster. Queued runs start in creation order.
 */
public final class RunQueue {
    /** How many of the oldest queued runs a pod that frees its slot wakes. */
    public static final int WAKE_ON_POD_EVENT = 10;

    static final Comparator<SandboxRun> OLDEST_FIRST = Comparator
            .comparing((SandboxRun r) -> Instant.parse(r.getMetadata().getCreationTimestamp()))
            .thenComparing(r -> r.getMetadata().getNamespace())
            .thenComparing(r -> r.getMetadata().getName());

    private final int cap;
    private final LongConsumer queueLength;

    public RunQueue(int cap, LongConsumer queueLength) {
        this.cap = cap;
        this.queueLength = queueLength;
    }

    /** Null when a pod may start now for this run; else why not (the same words while it waits). */
    public String position(SandboxRun run, Stream<Pod> pods, IndexedResourceCache<SandboxRun> runs) {
        // A pod no node can take uses no node's resources: it does not hold the queue (it fails at
        // the start timeout).
        long active = pods.filter(RunQueue::holdsSlot).count();
        List<SandboxRun> queued = runs.list(RunQueue::isQueued).toList();
        queueLength.accept(queued.size());
        if (active < cap) {
            long olderQueued = queued.stream().filter(r -> OLDEST_FIRST.compare(r, run) < 0).count();
            if (active + olderQueued < cap) {
                return null;
            }
        }
        // A changing count would rewrite every queued run's status.
        return "queued: all " + cap + " sandbox pods are in use";
    }

    /**
     * The runs a pod's event wakes besides its own: when the pod frees its slot (it ended, or no
     * node takes it, or it goes), the oldest queued runs. Queued runs wake on pod events, not a poll.
     */
    public static Stream<ResourceID> wokenBy(Pod pod, IndexedResourceCache<SandboxRun> runs) {
        if (holdsSlot(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
            return Stream.empty();
        }
        return runs.list(RunQueue::isQueued).sorted(OLDEST_FIRST).limit(WAKE_ON_POD_EVENT)
                .map(ResourceID::fromResource);
    }

    /** A pod that has not ended and that a node took (or may still take). */
    static boolean holdsSlot(Pod p) {
        boolean ended = p.getStatus() != null && ("Succeeded".equals(p.getStatus().getPhase())
                || "Failed".equals(p.getStatus().getPhase()));
        return !ended && !unschedulable(p);
    }

    static boolean unschedulable(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()));
    }

    public static boolean isQueued(SandboxRun r) {
        if (r.getStatus() == null || r.getStatus().getPhase() != Phase.Pending) {
            return false;
        }
        var c = r.getStatus().condition(StatusMapper.WAITING);
        return c != null && Decide.REASON_QUEUED.equals(c.getReason());
    }
}
