package dev.sandboxrun.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters of the operator: runs by verdict, run and collection durations, pods started,
 * the queue's length. Prometheus names: {@code sandboxrun_runs_finished_total{verdict}},
 * {@code sandboxrun_run_duration_seconds{verdict}}, {@code sandboxrun_collection_seconds},
 * {@code sandboxrun_pods_started_total}, {@code sandboxrun_retries_total},
 * {@code sandboxrun_queue_length}.
 */
@ApplicationScoped
public class RunMetrics {
    private final MeterRegistry registry;
    private final AtomicLong queued = new AtomicLong();

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sandboxrun.queue.length", queued, AtomicLong::get)
                .description("Runs waiting for a sandbox pod slot (Pending, reason Queued)").register(registry);
    }

    /** A run finished with this verdict, after this long from its creation. */
    public void finished(String verdict, Duration sinceCreation) {
        Counter.builder("sandboxrun.runs.finished").description("Runs finished, by verdict")
                .tag("verdict", verdict).register(registry).increment();
        if (sinceCreation != null && !sinceCreation.isNegative()) {
            Timer.builder("sandboxrun.run.duration").description("From a run's creation to its verdict, by verdict")
                    .tag("verdict", verdict).register(registry).record(sinceCreation);
        }
    }

    public void podStarted() {
        Counter.builder("sandboxrun.pods.started").description("Sandbox pods created").register(registry).increment();
    }

    public void retried() {
        Counter.builder("sandboxrun.retries").description("Attempts started again after an infrastructure failure")
                .register(registry).increment();
    }

    public void collected(Duration d) {
        Timer.builder("sandboxrun.collection").description("Time to fetch, check and store a run's stdout")
                .register(registry).record(d);
    }

    /** The number of queued runs, as last counted. */
    public void queueLength(long n) {
        queued.set(n);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
