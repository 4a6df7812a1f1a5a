package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not part of `mvn verify` (see the pom's bench profile; bench/operator/run): N SandboxRuns
 * (default 1,000) through the mock API server and the simulated node running the real launcher.
 * All must complete, none lost, none run twice. Prints runs per second, the operator's overhead
 * per run beside the launcher's own time, and the heap, and writes them to
 * target/bench-operator.txt.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorBench {
    static KubernetesMockServer server;
    static KubernetesClient client;

    /** As kubectl would: the mock closes connections under load; a 409 means an earlier try got through. */
    private static void apply(Runs runs, String name, int i) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                runs.apply(name, Runs.spec("greet-bin", "run " + i));
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return;
                }
                if (attempt > 20) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void thousandRuns() throws Exception {
        int n = Integer.getInteger("bench.runs", 1000);
        int slots = Integer.getInteger("bench.node-slots", Runtime.getRuntime().availableProcessors());
        int threads = Integer.getInteger("bench.operator-threads", 10);
        String ns = "bench";
        // The mock server logs every request at INFO: thousands of lines would measure the logger.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        client.apiextensions().v1().customResourceDefinitions().load(
                Path.of(System.getProperty("sandboxrun-test.crds", "../crds"), "sandboxruns.sandboxrun.dev-v1.yml")
                        .toFile()).createOr(o -> o.update());
        Runs runs = new Runs(client, ns);
        runs.program("greet-bin", TestPrograms.program("greet"));
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        try (SimulatedNode node = new SimulatedNode(client, server, slots).start();
             PlainOperator op = PlainOperator.start(client, Map.of("sandboxrun.max-concurrent-pods",
                     String.valueOf(Math.max(50, slots * 4))), threads)) {
            System.gc();
            long heapBefore = mem.getHeapMemoryUsage().getUsed();
            sampler.start();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                apply(runs, "r" + i, i);
            }
            long applied = System.nanoTime();
            await("all runs finished").atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> client.resources(SandboxRun.class).inNamespace(ns).list().getItems().stream()
                            .filter(r -> r.getStatus() != null && r.getStatus().isFinished()).count() == n);
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            sampler.interrupt();
            System.gc();
            long heapAfter = mem.getHeapMemoryUsage().getUsed();

            List<SandboxRun> all = client.resources(SandboxRun.class).inNamespace(ns).list().getItems();
            assertEquals(n, all.size(), "no run lost");
            List<Long> latencies = new ArrayList<>();
            for (SandboxRun r : all) {
                SandboxRunStatus s = r.getStatus();
                String i = r.getMetadata().getName().substring(1);
                assertEquals(Verdict.Completed, s.getVerdict(), r.getMetadata().getName() + ": " + s.getMessage());
                assertEquals(1, s.getAttempts());
                assertTrue(s.getStdout().getComplete(), r.getMetadata().getName());
                String expected = "hello\narg 1: run " + i + "\n";
                assertEquals(StdoutStore.sha256(expected.getBytes(StandardCharsets.UTF_8)), s.getStdout().getSha256());
                latencies.add(Duration.between(Instant.parse(r.getMetadata().getCreationTimestamp()),
                        Instant.parse(s.getCompletionTime())).toMillis());
            }
            Map<String, Integer> twice = node.runs.entrySet().stream().filter(e -> e.getValue() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertTrue(twice.isEmpty(), "pods run more than once: " + twice);
            assertEquals(n, node.runs.size(), "one pod per run");

            double seconds = (t1 - t0) / 1e9;
            double launcherMs = node.launcherNanos.values().stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
            var collection = op.metrics.registry().get("sandboxrun.collection").timer();
            double collectMs = collection.mean(java.util.concurrent.TimeUnit.MILLISECONDS);
            double cpuPerRunMs = (cpu1 - cpu0) / 1e6 / n;
            Collections.sort(latencies);
            String report = String.format(Locale.ROOT, """
                    runs: %d (all Completed, stdout verified, each pod run once)
                    node slots (pods at once): %d, operator reconcile threads: %d, cores: %d
                    wall time: %.1f s (applying the %d runs took %.1f s) -> %.1f runs/s
                    launcher's own time per run (fork to exit, measured by the node): %.2f ms mean
                    operator's collection per run (log fetch, check, ConfigMap write): %.2f ms mean
                    JVM CPU per run (operator + mock API server + simulated node, all in one JVM): %.2f ms
                    latency creation -> verdict: p50 %d ms, p90 %d ms, max %d ms (queueing at the node included)
                    heap used: %d MiB before, %d MiB peak (sampled), %d MiB after GC (includes the mock API server's store)
                    API requests per run by verb (operator, simulated node and this bench's polling together): %s
                    """, n, slots, threads, Runtime.getRuntime().availableProcessors(), seconds, n,
                    (applied - t0) / 1e9, n / seconds, launcherMs, collectMs, cpuPerRunMs,
                    latencies.get(latencies.size() / 2), latencies.get(latencies.size() * 9 / 10),
                    latencies.get(latencies.size() - 1), heapBefore >> 20, peakHeap.get() >> 20, heapAfter >> 20,
                    new java.util.TreeMap<>(node.api.requestsByVerb).entrySet().stream()
                            .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue().get() / (double) n))
                            .collect(Collectors.joining(", ")));
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-operator.txt"), report);
        }
    }
}
