package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.Sizes;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.output.PodOutcome;
import dev.sandboxrun.operator.output.StdoutFollowers;
import dev.sandboxrun.operator.output.StdoutStore;
import dev.sandboxrun.operator.output.TerminationReader;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.time.Instant;

/**
 * A run's stdout, from its pod into ConfigMaps: followed from the pod's log while the container
 * runs ({@link #onPodRunning}), then checked against the launcher's result ({@link #collectStdout})
 * or kept unverified when the launcher left none ({@link #collectUnverified}).
 */
final class OutputCollector implements AutoCloseable {
    private final RunMetrics metrics;
    /** Stdout, read from running pods' logs as it is written. */
    private final StdoutFollowers followers = new StdoutFollowers();

    OutputCollector(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The attempt's pod exists and has not ended: once its container runs, its log is followed
     * (again, after an operator restart). A follow read of a container still waiting to start only
     * gets the kubelet's "waiting to start" error.
     */
    void onPodRunning(KubernetesClient client, SandboxRun run, Pod pod) {
        if (pod != null && TerminationReader.read(pod) instanceof PodOutcome.InProgress) {
            followers.ensure(client, run, pod, stdoutMax(pod));
        }
    }

    /** The launcher's result is in: stdout kept in ConfigMaps and checked against its length and SHA-256. */
    StatusMapper.CollectedStdout collectStdout(KubernetesClient client, SandboxRun run, Pod pod, LauncherResult result) {
        Instant t0 = Instant.now();
        StatusMapper.CollectedStdout stdout = followers.result(client, run, pod, result);
        metrics.collected(Duration.between(t0, Instant.now()));
        return stdout;
    }

    /** The pod ended without a result; what its log's frames held, unverified. */
    StdoutStore.Partial collectUnverified(KubernetesClient client, SandboxRun run, Pod pod, long maxBytes) {
        return followers.partial(client, run, pod, maxBytes);
    }

    @Override
    public void close() {
        followers.close();
    }

    /**
     * The stdout cap the launcher in this pod was given (its {@code --stdout-max}): the decoder
     * refuses frames beyond it. A pod without one (not ours) gets the API's hard maximum.
     */
    static long stdoutMax(Pod pod) {
        for (Container c : pod.getSpec().getContainers()) {
            if (SandboxPods.CONTAINER.equals(c.getName()) && c.getArgs() != null) {
                for (String a : c.getArgs()) {
                    if (a.equals("--")) {
                        break;
                    }
                    if (a.startsWith("--stdout-max=")) {
                        return Sizes.bytes(a.substring("--stdout-max=".length()));
                    }
                }
            }
        }
        return EffectiveLimits.STDOUT_HARD_MAX;
    }
}
