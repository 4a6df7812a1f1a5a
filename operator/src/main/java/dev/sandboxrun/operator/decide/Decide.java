package dev.sandboxrun.operator.decide;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.access.Denial;
import dev.sandboxrun.operator.observe.Observed;
import dev.sandboxrun.operator.output.PodOutcome;
import dev.sandboxrun.operator.output.TerminationReader;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The next step of a run from what was observed: a pure function (no client, no clock), so that
 * every case is a row of a table test (DecideTest).
 */
public final class Decide {
    public static final String REASON_SOURCE_MISSING = "SourceMissing";
    public static final String REASON_QUEUED = "Queued";
    public static final String REASON_STARTING = "Starting";
    /** How often a run looks again for a missing ConfigMap or Secret (no event tells it). */
    public static final Duration SOURCE_POLL = Duration.ofSeconds(2);
    /**
     * Queued runs wake on pod events; this look at the caches (no request to the API server)
     * only covers an event missed.
     */
    public static final Duration QUEUE_SAFETY_POLL = Duration.ofSeconds(30);
    /** Past the start timeout, so that the timeout's wake-up finds it passed. */
    private static final Duration TIMEOUT_SLACK = Duration.ofMillis(50);

    private Decide() {
    }

    public static Transition decide(Observed o, DecideConfig config, Instant now) {
        SandboxRun run = o.run();
        SandboxRunStatus status = run.getStatus();
        if (status.isFinished()) {
            return afterFinish(o, now);
        }
        EffectiveLimits limits;
        try {
            limits = EffectiveLimits.resolveWithin(run.getSpec(), config.defaults(), config.ceilings());
        } catch (IllegalArgumentException e) {
            return new Transition.Finish(Verdict.InvalidSpec, e.getMessage(), null);
        }
        int attempt = status.getAttempts() == null ? 0 : status.getAttempts();
        if (attempt == 0) {
            return beforeStart(o, config, limits, now);
        }
        String podName = SandboxPods.podName(run, attempt);
        if (o.foreignPod()) {
            return new Transition.Finish(Verdict.InfrastructureFailure, "pod " + podName
                    + " belongs to another object", null);
        }
        Pod pod = o.pod();
        if (pod == null) {
            if (status.getPodName() == null) {
                // The attempt was recorded but its pod not seen yet: a crash between the two, or a
                // pod cache that has not caught up (creating it again then answers 409).
                return new Transition.StartAttempt(attempt, limits);
            }
            return failed(run, attempt, podName, "pod " + podName + " disappeared before the run ended", limits);
        }
        PodOutcome outcome = TerminationReader.read(pod, limits.wallMs());
        boolean marked = podName.equals(status.getPodName()) && status.getPhase() == Phase.Running;
        if (outcome instanceof PodOutcome.Result r) {
            return new Transition.Collect(podName, attempt, r.result());
        }
        if (outcome instanceof PodOutcome.Ended e) {
            return new Transition.Ended(podName, attempt, e.verdict(), e.message(), e.logHasStdout(),
                    limits.stdoutMaxBytes());
        }
        if (outcome instanceof PodOutcome.Infrastructure i) {
            return failed(run, attempt, podName, i.message(), limits);
        }
        if (outcome instanceof PodOutcome.Stuck || outcome instanceof PodOutcome.Starting) {
            // A pod no node takes, an image that cannot be pulled, a volume that cannot be mounted:
            // none is the program's doing, and retrying the same pod would wait the same way. The
            // run fails once the start timeout has passed, naming what held the pod.
            Instant giveUp = Instant.parse(pod.getMetadata().getCreationTimestamp()).plus(config.startTimeout());
            if (!giveUp.isAfter(now)) {
                return new Transition.CannotStart(podName, pod.getMetadata().getUid(), "pod " + podName
                        + " did not start within " + config.startTimeout().toSeconds() + "s: " + notStarted(outcome),
                        outcome instanceof PodOutcome.Starting);
            }
            // Pod events wake the run before then; this is the timeout's own wake-up.
            return new Transition.PodRunning(podName, attempt, !marked, Duration.between(now, giveUp).plus(TIMEOUT_SLACK));
        }
        return new Transition.PodRunning(podName, attempt, !marked, null);
    }

    private static Transition beforeStart(Observed o, DecideConfig config, EffectiveLimits limits, Instant now) {
        SandboxRun run = o.run();
        Optional<Denial> placement = config.access().checkPlacement(run);
        if (placement.isPresent()) {
            return new Transition.Finish(placement.get().verdict(), placement.get().message(), null);
        }
        if (o.queued() != null) {
            return wait(run.getStatus(), REASON_QUEUED, o.queued(), QUEUE_SAFETY_POLL);
        }
        if (o.parts().denial() != null) {
            return new Transition.Finish(o.parts().denial().verdict(), o.parts().denial().message(), null);
        }
        if (o.missingSource() != null) {
            Instant created = Instant.parse(run.getMetadata().getCreationTimestamp());
            if (created.plus(config.sourceWaitTimeout()).isBefore(now)) {
                return new Transition.Finish(Verdict.ProgramNotFound, o.missingSource() + " not found after "
                        + config.sourceWaitTimeout().toSeconds() + "s", null);
            }
            return wait(run.getStatus(), REASON_SOURCE_MISSING, "waiting for " + o.missingSource(), SOURCE_POLL);
        }
        return new Transition.StartAttempt(1, limits, o.parts());
    }

    /** Waiting, written only when it changes: the same words while the run waits. */
    private static Transition wait(SandboxRunStatus status, String reason, String message, Duration requeue) {
        Condition c = status.condition(StatusMapper.WAITING);
        if (status.getPhase() == Phase.Pending && c != null && reason.equals(c.getReason())
                && message.equals(c.getMessage())) {
            return new Transition.Nothing(requeue);
        }
        return new Transition.Wait(reason, message, c == null || !reason.equals(c.getReason()), requeue);
    }

    private static Transition failed(SandboxRun run, int attempt, String podName, String why, EffectiveLimits limits) {
        int retries = run.getSpec().getRetries() == null ? 0 : run.getSpec().getRetries();
        if (attempt <= retries) {
            return new Transition.Retry(podName, attempt, retries, why, limits);
        }
        return new Transition.Finish(Verdict.InfrastructureFailure, why + " (attempt " + attempt + " of "
                + (retries + 1) + ")", podName);
    }

    private static String notStarted(PodOutcome outcome) {
        if (outcome instanceof PodOutcome.Stuck s) {
            return s.reason() + (s.message().isEmpty() ? "" : ": " + s.message());
        }
        return ((PodOutcome.Starting) outcome).reason();
    }

    /** A finished run: its pod goes, then the run itself once its TTL has passed. */
    private static Transition afterFinish(Observed o, Instant now) {
        Pod pod = o.pod();
        if (pod != null && pod.getMetadata().getDeletionTimestamp() == null) {
            return new Transition.DeletePod(pod.getMetadata().getName());
        }
        SandboxRunStatus status = o.run().getStatus();
        Long ttl = o.run().getSpec().getTtlSecondsAfterFinished();
        if (ttl == null || status.getCompletionTime() == null) {
            return new Transition.Nothing(null);
        }
        Instant expires = Instant.parse(status.getCompletionTime()).plusSeconds(ttl);
        if (!expires.isAfter(now)) {
            return new Transition.Expire();
        }
        return new Transition.Nothing(Duration.between(now, expires));
    }
}
