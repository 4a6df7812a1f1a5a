package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Not a test (bench/operator/run-requests): the operator's API requests per run, by verb and
 * resource, counted on the operator's own client (the bench's and the simulated node's requests
 * are not counted). Three scenes against the mock API server and the simulated node:
 * <ol>
 * <li>single runs, one after another, then an idle minute with only finished runs;</li>
 * <li>1,000 runs behind a pod cap of 50, held with no node so that 50 pods never start and 950
 *     runs stay Queued: the requests of a steady window are what queued runs cost over time;</li>
 * <li>the same 1,000 runs drained by the node: requests per run for the whole pass.</li>
 * </ol>
 * Writes target/bench-api-requests.txt.
 */
@EnableKubernetesMockClient(crud = true)
class ApiRequestsBench {
    static KubernetesMockServer server;
    static KubernetesClient client;

    final StringBuilder report = new StringBuilder();

    @Test
    void requestsPerRun() throws Exception {
        assumeTrue(Boolean.getBoolean("bench.api-requests"),
                "a benchmark, not a test: bench/operator/run-requests sets -Dbench.api-requests=true");
        int singles = Integer.getInteger("bench.singles", 10);
        int queued = Integer.getInteger("bench.runs", 1000);
        int cap = Integer.getInteger("bench.cap", 50);
        int holdSeconds = Integer.getInteger("bench.hold-seconds", 30);
        int idleSeconds = Integer.getInteger("bench.idle-seconds", 30);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        client.apiextensions().v1().customResourceDefinitions().load(
                Path.of(System.getProperty("sandboxrun-test.crds", "../crds"), "sandboxruns.sandboxrun.dev-v1.yml")
                        .toFile()).createOr(o -> o.update());

        ApiRequestCounter counter = new ApiRequestCounter();
        Path program = TestPrograms.program("greet");
        line("program ConfigMap: %d bytes of binary (%d in base64)", Files.size(program),
                (Files.size(program) + 2) / 3 * 4);
        line("operator: plain JOSDK, 10 reconcile threads, max-concurrent-pods %d; cores: %d", cap,
                Runtime.getRuntime().availableProcessors());

        try (KubernetesClient operatorClient = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count-requests", counter)).build();
             PlainOperator op = PlainOperator.start(operatorClient,
                     Map.of("sandboxrun.max-concurrent-pods", String.valueOf(cap)), 10)) {
            Thread.sleep(2000); // informers started: their LIST and WATCH are the operator's fixed cost
            Map<ApiRequestCounter.Key, Long> startup = counter.snapshot();
            section("operator start-up (informers, before any run)", startup, 1, "total");

            // 1. Single runs.
            Runs single = new Runs(client, "single");
            single.program("greet-bin", program);
            Map<ApiRequestCounter.Key, Long> before;
            try (SimulatedNode node = new SimulatedNode(client, server, 2).start()) {
                before = counter.snapshot();
                for (int i = 0; i < singles; i++) {
                    progress("single run " + i);
                    single.apply("s" + i, Runs.spec("greet-bin", "single " + i));
                    var s = single.awaitFinished("s" + i, Duration.ofMinutes(2));
                    assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
                    quiet(counter, Duration.ofSeconds(2));
                }
            }
            section(singles + " single runs, one at a time (node: 2 slots), from creation to the last request",
                    ApiRequestCounter.minus(counter.snapshot(), before), singles, "per run");
            before = counter.snapshot();
            progress("idle window");
            Thread.sleep(idleSeconds * 1000L);
            section("idle: " + singles + " finished runs, nothing to do, " + idleSeconds + " s",
                    ApiRequestCounter.minus(counter.snapshot(), before), 1, "total");

            // 2. 1,000 runs behind the cap, no node: 50 pods never start, the rest stay Queued.
            String ns = "queued";
            Runs runs = new Runs(client, ns);
            runs.program("greet-bin", program);
            before = counter.snapshot();
            long t0 = System.nanoTime();
            progress("applying " + queued + " runs");
            for (int i = 0; i < queued; i++) {
                apply(runs, "q" + i, i);
            }
            progress("waiting for " + cap + " pods and the other runs Queued");
            long[] last = {-1, -1};
            await("runs queued").atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                long pods = retrying(() -> client.pods().inNamespace(ns).list().getItems().size());
                long waiting = countQueued(ns);
                progress(pods + " pods, " + waiting + " Queued");
                // Settled: every run has a pod or is Queued, and nothing moved since the last look.
                boolean settled = pods >= cap && pods + waiting == queued && pods == last[0] && waiting == last[1];
                last[0] = pods;
                last[1] = waiting;
                return settled;
            });
            line("");
            line("%d runs applied and settled in %.1f s: %d pods (cap %d), %d Queued", queued,
                    (System.nanoTime() - t0) / 1e9, last[0], cap, last[1]);
            Map<ApiRequestCounter.Key, Long> settled = counter.snapshot();
            Map<ApiRequestCounter.Key, Long> settleCounts = ApiRequestCounter.minus(settled, before);
            section("apply and settle " + queued + " runs behind a cap of " + cap, settleCounts, queued, "per run");
            Map<ApiRequestCounter.Key, Long> bytes0 = counter.bytesSnapshot();
            long h0 = System.nanoTime();
            Thread.sleep(holdSeconds * 1000L);
            double held = (System.nanoTime() - h0) / 1e9;
            Map<ApiRequestCounter.Key, Long> hold = ApiRequestCounter.minus(counter.snapshot(), settled);
            section(String.format(Locale.ROOT, "steady state, %d pods not starting and %d runs Queued, %.1f s "
                    + "(target: no requests)", last[0], last[1], held), hold, held, "per second");
            Map<ApiRequestCounter.Key, Long> holdBytes = ApiRequestCounter.minus(counter.bytesSnapshot(), bytes0);
            long totalHold = hold.values().stream().mapToLong(Long::longValue).sum();
            long totalBytes = holdBytes.values().stream().mapToLong(Long::longValue).sum();
            line("  all: %d requests, %.1f per second, %.2f per queued run per minute; response bodies %.2f MB/s"
                            + " (Content-Length; %d responses without one)",
                    totalHold, totalHold / held, totalHold / held * 60 / last[1], totalBytes / held / 1e6,
                    counter.unsizedResponses());

            // 3. Drain: the node starts the pods.
            Map<ApiRequestCounter.Key, Long> drain0 = counter.snapshot();
            long d0 = System.nanoTime();
            progress("draining");
            try (SimulatedNode node = new SimulatedNode(client, server, 2).start()) {
                await("all runs finished").atMost(Duration.ofMinutes(40)).pollInterval(Duration.ofSeconds(5))
                        .until(() -> retrying(() -> client.resources(SandboxRun.class).inNamespace(ns).list().getItems())
                                .stream().filter(r -> r.getStatus() != null && r.getStatus().isFinished()).count() == queued);
                quiet(counter, Duration.ofSeconds(5));
            }
            double drained = (System.nanoTime() - d0) / 1e9;
            long completed = retrying(() -> client.resources(SandboxRun.class).inNamespace(ns).list().getItems()).stream()
                    .filter(r -> Verdict.Completed == r.getStatus().getVerdict()).count();
            line("");
            line("drained in %.1f s (node: 2 slots); %d of %d Completed", drained, completed, queued);
            // A run that did not complete is named with its verdict: a figure is only as good as
            // the runs it counts.
            retrying(() -> client.resources(SandboxRun.class).inNamespace(ns).list().getItems()).stream()
                    .filter(r -> Verdict.Completed != r.getStatus().getVerdict()).limit(5)
                    .forEach(r -> line("  not Completed: %s: %s: %s", r.getMetadata().getName(),
                            r.getStatus().getVerdict(), r.getStatus().getMessage()));
            Map<ApiRequestCounter.Key, Long> drain = ApiRequestCounter.minus(counter.snapshot(), drain0);
            section("drain: from the node's start to the last run's verdict", drain, queued, "per run");
            Map<ApiRequestCounter.Key, Long> pass = new TreeMap<>(settleCounts);
            drain.forEach((k, v) -> pass.merge(k, v, Long::sum));
            section(queued + " runs behind a cap of " + cap + ", whole pass without the " + holdSeconds
                    + " s hold (apply + settle + drain)", pass, queued, "per run");
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "bench-api-requests.txt"), report);
    }

    private void section(String title, Map<ApiRequestCounter.Key, Long> counts, double divisor, String unit) {
        line("");
        line("%s:", title);
        Map<String, Long> byVerb = new TreeMap<>();
        counts.forEach((k, v) -> byVerb.merge(k.verb(), v, Long::sum));
        StringBuilder verbs = new StringBuilder();
        for (String verb : List.of("GET", "LIST", "WATCH", "CREATE", "UPDATE", "PATCH", "DELETE", "DELETECOLLECTION")) {
            verbs.append(String.format(Locale.ROOT, " %s %s", verb, fmt(byVerb.getOrDefault(verb, 0L) / divisor)));
        }
        line("  by verb (%s):%s", unit, verbs);
        counts.forEach((k, v) -> line("    %-34s %10s", k, fmt(v / divisor)));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private void line(String format, Object... args) {
        String l = String.format(Locale.ROOT, format, args);
        report.append(l).append('\n');
        System.err.println("bench: " + l);
    }

    private static void progress(String what) {
        System.err.println("bench progress " + java.time.Instant.now() + ": " + what);
    }

    /** Waits until the operator has sent nothing for this long (its last requests belong to the run). */
    private static void quiet(ApiRequestCounter counter, Duration gap) throws InterruptedException {
        Map<ApiRequestCounter.Key, Long> last = counter.snapshot();
        for (int i = 0; i < 30; i++) {
            Thread.sleep(gap.toMillis());
            Map<ApiRequestCounter.Key, Long> now = counter.snapshot();
            if (now.equals(last)) {
                return;
            }
            last = now;
        }
    }

    private static long countQueued(String ns) {
        return retrying(() -> client.resources(SandboxRun.class).inNamespace(ns).list().getItems()).stream()
                .filter(r -> r.getStatus() != null && r.getStatus().condition(StatusMapper.WAITING) != null
                        && "Queued".equals(r.getStatus().condition(StatusMapper.WAITING).getReason()))
                .count();
    }

    private static <T> T retrying(Supplier<T> read) {
        return Runs.retrying(read);
    }

    /** As kubectl would: the mock closes connections under load; a 409 means an earlier try got through. */
    private static void apply(Runs runs, String name, int i) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                runs.apply(name, Runs.spec("greet-bin", "run " + i));
                return;
            } catch (KubernetesClientException e) {
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
}
