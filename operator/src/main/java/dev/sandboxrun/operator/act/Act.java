package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.access.Denial;
import dev.sandboxrun.operator.access.RunAccess;
import dev.sandboxrun.operator.decide.Decide;
import dev.sandboxrun.operator.decide.Transition;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.output.StdoutStore;
import dev.sandboxrun.operator.pod.PodSettings;
import dev.sandboxrun.operator.program.ProgramParts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/**
 * Carries out a {@link Transition}: the writes, in the order that survives a crash (the attempt
 * in status before its pod; stdout ConfigMaps, then status, then the pod's deletion), with status
 * written once per pass. The one exception: a pod whose creation finds a pod of that name owned by
 * another object, which the pod cache could not show (it holds only sandbox pods), finishes the
 * run after the attempt was recorded.
 */
public final class Act {
    private static final Logger LOG = Logger.getLogger(Act.class);

    private final RunMetrics metrics;
    private final RunAccess access;
    private final Duration startTimeout;
    private final PodStarter starter;
    private final OutputCollector output;
    private final Completion completion;

    public Act(RunMetrics metrics, RunAccess access, PodSettings settings, Duration startTimeout) {
        this.metrics = metrics;
        this.access = access;
        this.startTimeout = startTimeout;
        this.starter = new PodStarter(metrics, settings);
        this.output = new OutputCollector(metrics);
        this.completion = new Completion(metrics);
    }

    /**
     * @param pod the attempt's pod as observed (the one the transition names), or null
     */
    /** Stops following pods' logs (an operator instance that stops while its process goes on). */
    public void stopFollowing() {
        output.close();
    }

    public UpdateControl<SandboxRun> apply(Transition t, Context<SandboxRun> context, SandboxRun run, Pod pod,
                                           Instant now) {
        KubernetesClient client = context.getClient();
        SandboxRunStatus status = run.getStatus();
        if (t instanceof Transition.Nothing n) {
            return requeue(n.requeue());
        }
        if (t instanceof Transition.Wait w) {
            StatusMapper.waiting(status, w.reason(), w.message(), now);
            SandboxRun written = StatusWriter.write(context, run);
            if (w.announce()) {
                RunEvents.normal(client, written, Decide.REASON_QUEUED.equals(w.reason()) ? RunEvents.QUEUED
                        : RunEvents.WAITING, w.message());
            }
            return requeue(w.requeue());
        }
        if (t instanceof Transition.StartAttempt s) {
            return startAttempt(context, run, s, now);
        }
        if (t instanceof Transition.PodRunning p) {
            if (p.markRunning()) {
                StatusMapper.running(status, p.podName(), p.attempt(), now);
                StatusWriter.write(context, run);
            }
            output.onPodRunning(client, run, pod);
            return requeue(p.requeue());
        }
        if (t instanceof Transition.Collect c) {
            StatusMapper.CollectedStdout stdout = output.collectStdout(client, run, pod, c.result());
            StatusMapper.running(status, c.podName(), c.attempt(), now);
            StatusMapper.applyResult(status, c.result(), stdout, now);
            LOG.debugf("run %s/%s finished: %s", run.getMetadata().getNamespace(), run.getMetadata().getName(),
                    status.getVerdict());
            return completion.finished(context, run, c.podName(), now);
        }
        if (t instanceof Transition.Ended e) {
            StatusMapper.running(status, e.podName(), e.attempt(), now);
            if (e.logHasStdout()) {
                StdoutStore.Partial partial = output.collectUnverified(client, run, pod, e.stdoutMaxBytes());
                StatusMapper.applyVerdict(status, e.verdict(), e.message(), partial.stdout(), partial.bytes(),
                        partial.sha256(), now);
            } else {
                StatusMapper.applyVerdict(status, e.verdict(), e.message(), now);
            }
            return completion.finished(context, run, e.podName(), now);
        }
        if (t instanceof Transition.Retry r) {
            LOG.infof("run %s/%s attempt %d: infrastructure failure: %s", run.getMetadata().getNamespace(),
                    run.getMetadata().getName(), r.failedAttempt(), r.why());
            RunEvents.warning(client, run, RunEvents.RETRYING, "attempt " + r.failedAttempt() + " failed (" + r.why()
                    + "); starting attempt " + (r.failedAttempt() + 1) + " of " + (r.retries() + 1));
            metrics.retried();
            Completion.deletePod(client, run, r.failedPod());
            return startAttempt(context, run, new Transition.StartAttempt(r.failedAttempt() + 1, r.limits()), now);
        }
        if (t instanceof Transition.CannotStart c) {
            String message = c.message() + (c.addWarning() ? lastWarning(client, run, c.podName(), c.podUid()) : "");
            LOG.infof("run %s/%s: %s", run.getMetadata().getNamespace(), run.getMetadata().getName(), message);
            return finish(context, run, Verdict.InfrastructureFailure, message, c.podName(), now);
        }
        if (t instanceof Transition.Finish f) {
            if (f.verdict() == Verdict.InfrastructureFailure) {
                LOG.infof("run %s/%s: %s", run.getMetadata().getNamespace(), run.getMetadata().getName(), f.message());
            }
            return finish(context, run, f.verdict(), f.message(), f.podName(), now);
        }
        if (t instanceof Transition.DeletePod d) {
            Completion.deletePod(client, run, d.podName());
            return UpdateControl.noUpdate();
        }
        if (t instanceof Transition.Expire) {
            Completion.expire(client, run);
            return UpdateControl.noUpdate();
        }
        throw new IllegalStateException("no action for " + t);
    }

    private UpdateControl<SandboxRun> startAttempt(Context<SandboxRun> context, SandboxRun run,
                                                   Transition.StartAttempt start, Instant now) {
        int attempt = start.attempt();
        EffectiveLimits limits = start.limits();
        // Before anything is created for the run: a Secret it names must be open to runs.
        KubernetesClient client = context.getClient();
        String ns = run.getMetadata().getNamespace();
        Optional<Denial> denied = access.check(run, name -> client.secrets().inNamespace(ns).withName(name).get());
        if (denied.isPresent()) {
            return finish(context, run, denied.get().verdict(), denied.get().message(), null, now);
        }
        // The run becomes an owner of its opted-in program parts before its pod needs them, so the
        // garbage collector keeps a part while any run that uses it exists.
        ProgramParts.own(client, run, start.parts());
        String refused = starter.start(context, run, attempt, limits, now);
        if (refused != null) {
            return finish(context, run, Verdict.InfrastructureFailure, refused, null, now);
        }
        // The pod's own creation makes no event: should nothing ever happen to it (no scheduler),
        // this is the start timeout's wake-up.
        return requeue(startTimeout.plusSeconds(1));
    }

    private UpdateControl<SandboxRun> finish(Context<SandboxRun> context, SandboxRun run, Verdict verdict,
                                             String message, String podName, Instant now) {
        StatusMapper.applyVerdict(run.getStatus(), verdict, message, now);
        return completion.finished(context, run, podName, now);
    }

    private static UpdateControl<SandboxRun> requeue(Duration after) {
        return after == null ? UpdateControl.noUpdate() : UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(after);
    }

    /** The latest Warning event of the pod (FailedMount, FailedScheduling, ...), or "". */
    private static String lastWarning(KubernetesClient client, SandboxRun run, String podName, String podUid) {
        try {
            return client.v1().events().inNamespace(run.getMetadata().getNamespace())
                    .withField("involvedObject.name", podName).list().getItems().stream()
                    .filter(e -> "Warning".equals(e.getType()))
                    .filter(e -> e.getInvolvedObject() != null && podUid != null
                            && podUid.equals(e.getInvolvedObject().getUid()))
                    .max(Comparator.comparing(e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()))
                    .map(e -> " (" + e.getReason() + ": " + e.getMessage() + ")")
                    .orElse("");
        } catch (KubernetesClientException e) {
            return "";
        }
    }
}
