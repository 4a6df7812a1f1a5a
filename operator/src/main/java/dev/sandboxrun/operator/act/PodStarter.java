package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.decide.Decide;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.pod.PodSettings;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import java.time.Instant;

/**
 * One attempt's pod: the attempt recorded in status first, then the pod created, so that a pod
 * never exists that status does not name. The pod's name is fixed by run UID and attempt, so
 * creating it twice (a crash in between) answers 409 and never makes a second pod. The created
 * pod's own event is filtered (JOSDK ResourceOperations.create): the run's next pass comes with
 * the pod's first change (scheduled, unschedulable, started), or at the start timeout.
 */
final class PodStarter {
    private final RunMetrics metrics;
    private final PodSettings settings;

    PodStarter(RunMetrics metrics, PodSettings settings) {
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Returns null once the pod exists; else the reason it cannot (a pod of that name is another's). */
    String start(Context<SandboxRun> context, SandboxRun run, int attempt, EffectiveLimits limits, Instant now) {
        KubernetesClient client = context.getClient();
        String podName = SandboxPods.podName(run, attempt);
        String creating = "creating pod " + podName;
        SandboxRunStatus status = run.getStatus();
        var c = status.condition(StatusMapper.WAITING);
        boolean recorded = Integer.valueOf(attempt).equals(status.getAttempts()) && status.getPodName() == null
                && c != null && Decide.REASON_STARTING.equals(c.getReason()) && creating.equals(c.getMessage());
        if (!recorded) {
            // Written once per attempt: a pass retried after a refused pod finds it recorded.
            status.setAttempts(attempt);
            status.setPodName(null);
            StatusMapper.waiting(status, Decide.REASON_STARTING, creating, now);
            run = StatusWriter.write(context, run);
        }
        ConfigMap stdin = SandboxPods.stdinConfigMap(run);
        if (stdin != null) {
            client.resource(stdin).createOr(NonDeletingOperation::update);
        }
        Pod pod = SandboxPods.desired(run, attempt, limits, settings);
        try {
            // Kept in the pod informer's cache at once (read-cache-after-write): a pass before the
            // informer's own event sees the pod and does not try to create it again.
            context.resourceOperations().create(pod);
            metrics.podStarted();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw new PodRefused(pod, e);
            }
            Pod existing = client.pods().inNamespace(run.getMetadata().getNamespace()).withName(podName).get();
            if (existing != null && !RunObjects.ownedBy(existing, run)) {
                return "pod " + podName + " exists and belongs to another object";
            }
            return null;
        }
        RunEvents.normal(client, run, RunEvents.STARTED, "attempt " + attempt + ": pod " + podName + " created");
        return null;
    }
}
