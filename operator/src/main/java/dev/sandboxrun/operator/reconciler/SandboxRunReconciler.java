package dev.sandboxrun.operator.reconciler;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Sizes;
import dev.sandboxrun.operator.access.RunAccess;
import dev.sandboxrun.operator.act.Act;
import dev.sandboxrun.operator.config.OperatorConfig;
import dev.sandboxrun.operator.decide.Decide;
import dev.sandboxrun.operator.decide.DecideConfig;
import dev.sandboxrun.operator.decide.Transition;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.observe.Observed;
import dev.sandboxrun.operator.observe.Observer;
import dev.sandboxrun.operator.observe.RunQueue;
import dev.sandboxrun.operator.pod.PodSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Observe, decide, act: what the informer caches hold of a run and its pod ({@link Observer}), the
 * next step as a pure function of that ({@link Decide}), and the writes it takes ({@link Act}).
 * A restarted operator resumes where it stopped, because every step is decided from the cluster's
 * state and the writes go in an order that survives a crash.
 */
@ControllerConfiguration(name = "sandboxrun")
public class SandboxRunReconciler implements Reconciler<SandboxRun> {
    private final Clock clock;
    private final DecideConfig decideConfig;
    private final Observer observer;
    private final Act act;
    private final FailureRecorder failures;

    public SandboxRunReconciler(OperatorConfig config, RunMetrics metrics) {
        this.clock = Clock.systemUTC();
        this.decideConfig = DecideConfig.from(config);
        RunAccess access = decideConfig.access();
        this.observer = new Observer(new RunQueue(config.maxConcurrentPods(), metrics::queueLength), access.policy());
        this.act = new Act(metrics, access, podSettings(config), config.startTimeout());
        this.failures = new FailureRecorder(metrics, clock);
    }

    /** Stops following pods' logs (an operator instance that stops while its process goes on). */
    public void stopFollowing() {
        act.stopFollowing();
    }

    @Override
    public List<EventSource<?, SandboxRun>> prepareEventSources(EventSourceContext<SandboxRun> context) {
        SecondaryToPrimaryMapper<Pod> owners = Mappers.fromOwnerReferences(SandboxRun.class);
        var primaries = context.getPrimaryCache();
        var pods = InformerEventSourceConfiguration.from(Pod.class, SandboxRun.class)
                .withLabelSelector(RunObjects.LABEL_MANAGED_BY + "=" + RunObjects.MANAGED_BY)
                .withNamespacesInheritedFromController()
                // A pod's events go to its run and, when the pod frees its slot, to the oldest
                // queued runs: queued runs wake on pod events, not on a poll.
                .withSecondaryToPrimaryMapper(pod -> {
                    Set<ResourceID> ids = new HashSet<>(owners.toPrimaryResourceIDs(pod));
                    RunQueue.wokenBy(pod, primaries).forEach(ids::add);
                    return ids;
                })
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<SandboxRun> reconcile(SandboxRun run, Context<SandboxRun> context) {
        if (run.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate();
        }
        if (run.getStatus() == null) {
            run.setStatus(new SandboxRunStatus());
        }
        Instant now = clock.instant();
        Observed observed = observer.observe(run, context, now);
        Transition next = Decide.decide(observed, decideConfig, now);
        if (!(next instanceof Transition.StartAttempt)) {
            observer.admittedButNotStarted(observed);
            return act.apply(next, context, run, observed.pod(), now);
        }
        try {
            UpdateControl<SandboxRun> done = act.apply(next, context, run, observed.pod(), now);
            if (run.getStatus().isFinished()) {
                // Denied before its pod was made (a Secret not open to runs, a pod of that name
                // that is another's): the slot goes back.
                observer.admittedButNotStarted(observed);
            }
            return done;
        } catch (RuntimeException e) {
            observer.admittedButNotStarted(observed);
            throw e;
        }
    }

    /**
     * JOSDK calls this when a pass throws. A pod the API server refuses for good, or any failure on
     * the last retry, ends the run Failed with the server's message instead of leaving it Running
     * (or Pending) for ever; other failures are retried with back-off.
     */
    @Override
    public ErrorStatusUpdateControl<SandboxRun> updateErrorStatus(SandboxRun run, Context<SandboxRun> context,
                                                                  Exception e) {
        return failures.record(run, context, e);
    }

    private static PodSettings podSettings(OperatorConfig config) {
        OperatorConfig.Launcher l = config.launcher();
        return new PodSettings(l.image(), l.path(), l.imagePullPolicy(), Sizes.bytes(l.memoryOverhead()),
                l.ephemeralStorage(), l.deadlineGrace().toSeconds(), l.runtimeClassName().orElse(null),
                config.startTimeout().toSeconds());
    }
}
