package dev.sandboxrun.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** Micrometer meters of the operator: runs by verdict, collection time, pods started. */
@ApplicationScoped
public class RunMetrics {
    private final MeterRegistry registry;

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void finished(String verdict) {
        Counter.builder("sandboxrun.runs.finished").description("Runs finished, by verdict")
                .tag("verdict", verdict).register(registry).increment();
    }

    public void podStarted() {
        Counter.builder("sandboxrun.pods.started").description("Sandbox pods created").register(registry).increment();
    }

    public void collected(Duration d) {
        Timer.builder("sandboxrun.collection").description("Time to fetch, check and store a run's stdout")
                .register(registry).record(d);
    }
}
