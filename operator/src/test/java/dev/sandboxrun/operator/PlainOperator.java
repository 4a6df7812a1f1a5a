package dev.sandboxrun.operator;

import dev.sandboxrun.operator.config.OperatorConfig;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.reconciler.SandboxRunReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The operator's reconciler in a plain Java Operator SDK {@link Operator}, outside Quarkus: a test
 * can stop one instance and start a fresh one against the same API server (a restart, a new
 * leader), and the benchmark can run it alone.
 */
public final class PlainOperator implements AutoCloseable {
    public final Operator operator;
    public final RunMetrics metrics;
    private final SandboxRunReconciler reconciler;

    private PlainOperator(Operator operator, RunMetrics metrics, SandboxRunReconciler reconciler) {
        this.operator = operator;
        this.metrics = metrics;
        this.reconciler = reconciler;
    }

    /** The operator's configuration from these {@code sandboxrun.*} values over the defaults. */
    public static OperatorConfig config(Map<String, String> values) {
        Map<String, String> all = new HashMap<>();
        all.put("sandboxrun.launcher.path", "/sandbox-launch");
        all.putAll(values);
        SmallRyeConfig c = new SmallRyeConfigBuilder()
                .withMapping(OperatorConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(all)
                .build();
        return c.getConfigMapping(OperatorConfig.class);
    }

    public static PlainOperator start(KubernetesClient client, Map<String, String> values, int threads) {
        RunMetrics metrics = new RunMetrics(new SimpleMeterRegistry());
        Operator op = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(threads));
        SandboxRunReconciler reconciler = new SandboxRunReconciler(config(values), metrics);
        op.register(reconciler);
        op.start();
        return new PlainOperator(op, metrics, reconciler);
    }

    @Override
    public void close() {
        operator.stop();
        // A stopped process would take its log followers with it; this one goes on.
        reconciler.stopFollowing();
    }
}
