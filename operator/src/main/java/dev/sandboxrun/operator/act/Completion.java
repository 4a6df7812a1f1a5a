package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

import java.time.Duration;
import java.time.Instant;

/**
 * A run's end, in the order that survives a crash: its finished status (the stdout ConfigMaps are
 * already written), then the event and metrics, then the pod's deletion; and later, past its TTL,
 * the run itself.
 */
final class Completion {
    private final RunMetrics metrics;

    Completion(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** Writes the finished status already in {@code run}, then deletes {@code podName} (or none). */
    UpdateControl<SandboxRun> finished(Context<SandboxRun> context, SandboxRun run, String podName, Instant now) {
        SandboxRun written = StatusWriter.write(context, run);
        announce(context.getClient(), written, now);
        if (podName != null) {
            deletePod(context.getClient(), run, podName);
        }
        return untilExpiry(run, now);
    }

    static void deletePod(KubernetesClient client, SandboxRun run, String podName) {
        client.pods().inNamespace(run.getMetadata().getNamespace()).withName(podName).delete();
    }

    /** The run and what it owns by label (the garbage collector takes the rest). */
    static void expire(KubernetesClient client, SandboxRun run) {
        client.resource(run).delete();
        client.configMaps().inNamespace(run.getMetadata().getNamespace())
                .withLabel(RunObjects.LABEL_RUN, run.getMetadata().getUid()).delete();
    }

    /** Once per run: the status that says it finished is written. */
    private void announce(KubernetesClient client, SandboxRun run, Instant now) {
        SandboxRunStatus status = run.getStatus();
        Duration took = Duration.between(Instant.parse(run.getMetadata().getCreationTimestamp()), now);
        metrics.finished(status.getVerdict().name(), took);
        String message = status.getVerdict() + (status.getMessage() == null ? "" : ": " + status.getMessage());
        if (status.getVerdict() == Verdict.Completed) {
            RunEvents.normal(client, run, RunEvents.FINISHED, message);
        } else {
            RunEvents.warning(client, run, RunEvents.FINISHED, message);
        }
    }

    /** The TTL's own wake-up: this pass's write makes no event. */
    private static UpdateControl<SandboxRun> untilExpiry(SandboxRun run, Instant now) {
        Long ttl = run.getSpec().getTtlSecondsAfterFinished();
        String done = run.getStatus().getCompletionTime();
        if (ttl == null || done == null) {
            return UpdateControl.noUpdate();
        }
        Duration left = Duration.between(now, Instant.parse(done).plusSeconds(ttl));
        return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(left.isNegative() ? Duration.ZERO : left);
    }
}
