package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.access.AccessPolicy;
import dev.sandboxrun.operator.pod.SandboxPods;
import dev.sandboxrun.operator.program.ProgramParts;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.time.Instant;

/**
 * Reads what a pass decides from: the run as JOSDK hands it over (the primary cache, which holds
 * the operator's own status writes as soon as they are made), its attempt's pod from the pod
 * informer, the queue from both caches. The only requests are the GETs of the sources a run
 * names, and only once it may start.
 */
public final class Observer {
    private final RunQueue queue;
    private final AccessPolicy policy;

    public Observer(RunQueue queue, AccessPolicy policy) {
        this.queue = queue;
        this.policy = policy;
    }

    public Observed observe(SandboxRun run, Context<SandboxRun> context, Instant now) {
        SandboxRunStatus status = run.getStatus();
        int attempt = status.getAttempts() == null ? 0 : status.getAttempts();
        String podName = status.isFinished() ? status.getPodName()
                : attempt > 0 ? SandboxPods.podName(run, attempt) : null;
        Pod pod = null;
        boolean foreign = false;
        if (podName != null) {
            // The pod informer maps pods to queued runs too (to wake them): a run's secondary
            // resources are its own pods only once filtered by owner UID and name.
            pod = context.getSecondaryResourcesAsStream(Pod.class)
                    .filter(p -> podName.equals(p.getMetadata().getName()) && RunObjects.ownedBy(p, run))
                    .findFirst().orElse(null);
            if (pod == null) {
                foreign = pods(context).get(new ResourceID(podName, run.getMetadata().getNamespace()))
                        .map(p -> !RunObjects.ownedBy(p, run)).orElse(false);
            }
        }
        String queued = null;
        String missing = null;
        ProgramParts.Check parts = ProgramParts.Check.READY;
        if (!status.isFinished() && attempt == 0) {
            queued = queue.position(run, pods(context).list(), context.getPrimaryCache(), now);
            if (queued == null) {
                missing = SourceCheck.missing(context.getClient(), run);
                if (missing == null) {
                    parts = ProgramParts.inspect(context.getClient(), run, policy);
                    missing = parts.missing();
                }
            }
        }
        return new Observed(run, pod, foreign, queued, missing, parts);
    }

    /**
     * A run the queue admitted whose pass starts no pod (it waits for a source, it finished): its
     * slot goes back at once.
     */
    public void admittedButNotStarted(Observed observed) {
        SandboxRunStatus status = observed.run().getStatus();
        boolean notStarted = status.getAttempts() == null || status.getAttempts() == 0;
        if (!status.isFinished() && notStarted && observed.queued() == null) {
            queue.release(observed.run());
        }
    }

    @SuppressWarnings("unchecked")
    private static InformerEventSource<Pod, SandboxRun> pods(Context<SandboxRun> context) {
        return (InformerEventSource<Pod, SandboxRun>) context.eventSourceRetriever().getEventSourceFor(Pod.class);
    }
}
