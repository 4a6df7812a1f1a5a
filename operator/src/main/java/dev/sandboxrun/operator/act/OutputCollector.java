package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.time.Instant;

/**
 * A run's stdout, from its pod into ConfigMaps. The two points where a stdout follower hooks in:
 * {@link #onPodRunning} (the pod is running: follow it) and {@link #collectStdout} (the launcher
 * left its result: the stdout it passed on, checked against that result).
 */
final class OutputCollector {
    private final RunMetrics metrics;

    OutputCollector(RunMetrics metrics) {
        this.metrics = metrics;
    }

    /** The attempt's pod exists and has not ended. Nothing to do while stdout is read once at the end. */
    void onPodRunning(KubernetesClient client, SandboxRun run, String podName) {
    }

    /** The launcher's result is in: stdout kept in ConfigMaps and checked against its length and SHA-256. */
    StatusMapper.CollectedStdout collectStdout(KubernetesClient client, SandboxRun run, String podName,
                                               LauncherResult result) {
        Instant t0 = Instant.now();
        StatusMapper.CollectedStdout stdout = StdoutStore.collect(client, run, podName, result);
        metrics.collected(Duration.between(t0, Instant.now()));
        return stdout;
    }

    /** The pod ended without a result; what its log holds, unverified. */
    StdoutStore.Partial collectUnverified(KubernetesClient client, SandboxRun run, String podName, long maxBytes) {
        return StdoutStore.collectUnverified(client, run, podName, maxBytes);
    }
}
