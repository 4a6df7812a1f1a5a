package dev.sandboxrun.operator.decide;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.program.ProgramParts;

import java.time.Duration;

/**
 * The one step a pass takes, as {@link Decide#decide} chose it from what the caches hold. Each
 * writes the run's status at most once; {@code requeue} (null for none) is when to look again
 * without an event.
 */
public sealed interface Transition {
    /** Nothing to write. */
    record Nothing(Duration requeue) implements Transition {
    }

    /**
     * The run waits (for a slot, for a source): Pending with a Waiting condition. Only returned
     * when the status would change; {@code announce}: the reason is new, worth an event.
     */
    record Wait(String reason, String message, boolean announce, Duration requeue) implements Transition {
    }

    /**
     * Start this attempt: record it in status (unless already recorded), then create its pod. A pod
     * never exists that status does not name; creating it again is harmless (same name, 409).
     */
    record StartAttempt(int attempt, EffectiveLimits limits, ProgramParts.Check parts) implements Transition {
        public StartAttempt(int attempt, EffectiveLimits limits) {
            this(attempt, limits, ProgramParts.Check.READY);
        }

    }

    /**
     * The attempt's pod exists and has not ended. {@code markRunning}: status does not say so yet.
     * {@code requeue}: the start timeout's own wake-up while the pod has not started.
     */
    record PodRunning(String podName, int attempt, boolean markRunning, Duration requeue) implements Transition {
    }

    /** The launcher left its result: collect stdout, finish, then delete the pod. */
    record Collect(String podName, int attempt, LauncherResult result) implements Transition {
    }

    /**
     * The pod ended without a result (OOMKilled, deadline, launch error): finish with the pod's
     * verdict, keeping what its log holds when {@code logHasStdout}.
     */
    record Ended(String podName, int attempt, Verdict verdict, String message, boolean logHasStdout,
                 long stdoutMaxBytes) implements Transition {
    }

    /** The attempt failed for reasons outside the program and a retry is left: the next attempt. */
    record Retry(String failedPod, int failedAttempt, int retries, String why, EffectiveLimits limits)
            implements Transition {
    }

    /**
     * The pod did not start within the start timeout: the run fails, saying what held it;
     * {@code addWarning}: the pod's latest Warning event says more (FailedMount, ...).
     */
    record CannotStart(String podName, String podUid, String message, boolean addWarning) implements Transition {
    }

    /** The run ends with this verdict; {@code podName} (or null) is deleted after status is written. */
    record Finish(Verdict verdict, String message, String podName) implements Transition {
    }

    /** A finished run's pod is still there (a pass that stopped before deleting it). */
    record DeletePod(String podName) implements Transition {
    }

    /** The run finished longer ago than its ttlSecondsAfterFinished: delete it and its ConfigMaps. */
    record Expire() implements Transition {
    }
}
