package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.decide.Decide;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
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

    /**
     * How long an admission holds a slot before its pod is seen: longer than a pass that creates
     * a pod takes, short enough that one that failed frees its slot soon.
     */
    static final Duration ADMISSION_HOLD = Duration.ofSeconds(60);

    private final int cap;
    private final LongConsumer queueLength;
    /**
     * Runs admitted whose pod the informer has not listed yet (run UID to when): reconcile threads
     * deciding at once would otherwise each count the same free slots and start more pods than
     * the cap (1,000 new runs behind a cap of 50 made 54 pods).
     */
    private final Map<String, Admission> admitted = new HashMap<>();

    private record Admission(ResourceID run, Instant at) {
    }

    public RunQueue(int cap, LongConsumer queueLength) {
        this.cap = cap;
        this.queueLength = queueLength;
    }

    /**
     * Null when a pod may start now for this run, which then holds a slot until its pod is listed
     * (or {@link #release}); else why not (the same words while it waits). One thread at a time.
     */
    public synchronized String position(SandboxRun run, Stream<Pod> pods, IndexedResourceCache<SandboxRun> runs,
                                        Instant now) {
        List<Pod> listed = pods.toList();
        Set<String> withPod = listed.stream().map(p -> p.getMetadata().getLabels() == null ? null
                : p.getMetadata().getLabels().get(RunObjects.LABEL_RUN)).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        // An admission ends when its pod is listed (the pod counts itself), when its run finished
        // or went (a pod that ran and went between two looks), or after a while (a pass that failed).
        admitted.entrySet().removeIf(e -> withPod.contains(e.getKey())
                || runs.get(e.getValue().run()).map(r -> !e.getKey().equals(r.getMetadata().getUid())
                        || r.getStatus() != null && r.getStatus().isFinished()).orElse(true)
                || !e.getValue().at().plus(ADMISSION_HOLD).isAfter(now));
        String uid = run.getMetadata().getUid();
        // A pod no node can take uses no node's resources: it does not hold the queue (it fails at
        // the start timeout).
        long active = listed.stream().filter(RunQueue::holdsSlot).count()
                + admitted.keySet().stream().filter(u -> !u.equals(uid)).count();
        List<SandboxRun> queued = runs.list(RunQueue::isQueued).toList();
        queueLength.accept(queued.size());
        if (active < cap) {
            long olderQueued = queued.stream().filter(r -> OLDEST_FIRST.compare(r, run) < 0
                    && !admitted.containsKey(r.getMetadata().getUid())).count();
            if (active + olderQueued < cap) {
                admitted.put(uid, new Admission(ResourceID.fromResource(run), now));
                return null;
            }
        }
        // A changing count would rewrite every queued run's status.
        return "queued: all " + cap + " sandbox pods are in use";
    }

    /** The run was admitted but starts no pod (it waits for a source, it finished, its pod was refused). */
    public synchronized void release(SandboxRun run) {
        admitted.remove(run.getMetadata().getUid());
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
