package dev.sandboxrun.operator.reconciler;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.act.PodRefused;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A run whose handling keeps failing (JOSDK's updateErrorStatus): on a permanent refusal of its pod,
 * or on the last retry, it ends InfrastructureFailure with the reason; otherwise JOSDK retries.
 * Reads the run fresh: this path is rare, and it must not finish a run that has finished meanwhile.
 */
final class FailureRecorder {
    private static final Logger LOG = Logger.getLogger(FailureRecorder.class);
    private final RunMetrics metrics;
    private final Clock clock;

    FailureRecorder(RunMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    ErrorStatusUpdateControl<SandboxRun> record(SandboxRun cached, Context<SandboxRun> context, Exception e) {
        PodRefused refused = cause(e, PodRefused.class);
        boolean last = context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(false);
        if ((refused == null || !refused.permanent()) && !last) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        KubernetesClient client = context.getClient();
        try {
            SandboxRun run = client.resources(SandboxRun.class).inNamespace(cached.getMetadata().getNamespace())
                    .withName(cached.getMetadata().getName()).get();
            if (run == null || !run.getMetadata().getUid().equals(cached.getMetadata().getUid())
                    || run.getStatus() != null && run.getStatus().isFinished()) {
                return ErrorStatusUpdateControl.<SandboxRun>noStatusUpdate().withNoRetry();
            }
            if (run.getStatus() == null) {
                run.setStatus(new SandboxRunStatus());
            }
            String message = refused != null ? refused.getMessage() : "the operator failed "
                    + context.getRetryInfo().map(r -> r.getAttemptCount()).orElse(1) + " times: " + e.getMessage();
            Instant now = clock.instant();
            StatusMapper.applyVerdict(run.getStatus(), Verdict.InfrastructureFailure, message, now);
            context.resourceOperations().updatePrimaryStatus(run);
            metrics.finished(Verdict.InfrastructureFailure.name(), Duration.between(
                    Instant.parse(run.getMetadata().getCreationTimestamp()), now));
            RunEvents.warning(client, run, RunEvents.FINISHED, Verdict.InfrastructureFailure + ": " + message);
            if (run.getStatus().getPodName() != null) {
                client.pods().inNamespace(run.getMetadata().getNamespace()).withName(run.getStatus().getPodName())
                        .delete();
            }
        } catch (KubernetesClientException ke) {
            LOG.warnf("run %s/%s: cannot record its failure (%s); retrying", cached.getMetadata().getNamespace(),
                    cached.getMetadata().getName(), ke.getMessage());
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        return ErrorStatusUpdateControl.<SandboxRun>noStatusUpdate().withNoRetry();
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
