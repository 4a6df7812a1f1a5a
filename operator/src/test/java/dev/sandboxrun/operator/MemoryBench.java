package dev.sandboxrun.operator;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.cluster.StreamingMockServer;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Not a test (bench/operator/run-memory): the operator's memory with RUNS outputs of SIZE bytes
 * followed at once (issue 9). The mock API server and the simulated node stay in this JVM; the
 * operator runs in a child JVM ({@link OperatorProcess}) with the heap the chart's memory limit
 * gives it in the image (-XX:MaxRAMPercentage=75 of the limit; the serial collector, which the JVM
 * picks by itself under 1792 MB), so its heap and RSS are its own. Measured on the child: live
 * heap after a full GC (jcmd GC.class_histogram) before any run and every few seconds while the
 * runs are followed, with the followers alive at that moment; the GC log's largest heap after a
 * collection; RSS and peak RSS (/proc); NMT's committed total. Writes target/bench-memory.txt.
 */
class MemoryBench {
    static final String NS = "memory";
    private final StringBuilder report = new StringBuilder();

    @Test
    void fiftyOutputsOf8MiBAtOnce() throws Exception {
        assumeTrue(Boolean.getBoolean("bench.memory"),
                "a benchmark, not a test: bench/operator/run-memory sets -Dbench.memory=true");
        int runs = Integer.getInteger("bench.runs", 50);
        int size = Integer.getInteger("bench.size", 8 << 20);
        int dripMs = Integer.getInteger("bench.drip-ms", 200);
        // The image runs java -XX:MaxRAMPercentage=75 in a container limited to the chart's 512Mi:
        // MaxRAM stands for the cgroup's limit, so heap sizes (max, initial) come out as there.
        String heap = System.getProperty("bench.operator-memory", "512m");
        String gc = System.getProperty("bench.operator-gc", "-XX:+UseSerialGC");
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);

        KubernetesMockServer server = StreamingMockServer.start();
        KubernetesClient client = server.createClient();
        client.apiextensions().v1().customResourceDefinitions().load(
                Path.of(System.getProperty("sandboxrun-test.crds", "../crds"), "sandboxruns.sandboxrun.dev-v1.yml")
                        .toFile()).createOr(o -> o.update());
        Runs r = new Runs(client, NS);
        r.program("behave-bin", TestPrograms.program("behave"));
        Path gcLog = Path.of("target", "bench-memory-gc.log").toAbsolutePath();
        Files.deleteIfExists(gcLog);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:MaxRAM=" + heap, "-XX:MaxRAMPercentage=75", gc,
                "-XX:NativeMemoryTracking=summary", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog,
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), OperatorProcess.class.getName(),
                client.getConfiguration().getMasterUrl(), "10", "sandboxrun.max-concurrent-pods=" + runs));
        line("load: %d runs, each writing %d bytes (64 KiB every %d ms), all applied at once", runs, size, dripMs);
        Process op = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "bench-memory-operator.log").toFile()).start();
        OutputStream keepAlive = op.getOutputStream();
        long pid = op.pid();
        Path opLog = Path.of("target", "bench-memory-operator.log");
        for (int i = 0; i < 600 && op.isAlive() && !Files.readString(opLog).contains("operator started"); i++) {
            Thread.sleep(100);
        }
        String started = Files.readString(opLog);
        assertTrue(started.contains("HTTP trace logging off"), "the operator's Fabric8 HTTP logging is off, as "
                + "deployed (it keeps copies of answers): " + started);
        Matcher mx = Pattern.compile("MaxHeapSize=(\\d+)").matcher(jcmd(pid, "VM.flags"));
        assertTrue(mx.find(), "the operator's MaxHeapSize");
        line("operator: child JVM -XX:MaxRAM=%s -XX:MaxRAMPercentage=75 %s: max heap %s; 10 reconcile threads, "
                + "max-concurrent-pods %d; cores: %d", heap, gc, mib(Long.parseLong(mx.group(1))), runs,
                Runtime.getRuntime().availableProcessors());
        try (SimulatedNode node = new SimulatedNode(client, server, runs).start()) {
            Thread.sleep(5000); // informers listed and watching: the operator's fixed cost
            Sample base = sample(pid);
            line("idle, before any run: live heap %s, RSS %s, NMT committed %s", mib(base.live), mib(base.rss),
                    mib(nmtCommitted(pid)));

            long t0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                String name = "m" + i;
                Runs.retrying(() -> r.apply(name, Runs.withLimits(Runs.withLimits(Runs.spec("behave-bin", "drip",
                        String.valueOf(size), String.valueOf(dripMs)), l -> l.setStdout("8Mi")),
                        l -> l.setWallClock("600s"))));
            }
            Sample peak = null;
            long peakNmt = 0;
            int finished = 0;
            while (finished < runs) {
                assertTrue(op.isAlive(), "the operator's JVM ended (exit " + (op.isAlive() ? "" : op.exitValue())
                        + "; see target/bench-memory-operator.log)");
                Sample s = sample(pid);
                finished = countFinished(client);
                progress(String.format(Locale.ROOT, "%.0f s: %d followers, live heap %s, RSS %s, %d finished",
                        (System.nanoTime() - t0) / 1e9, s.followers, mib(s.live), mib(s.rss), finished));
                if (peak == null || s.followers > peak.followers
                        || (s.followers == peak.followers && s.live > peak.live)) {
                    peak = s;
                    peakNmt = nmtCommitted(pid);
                }
                assertTrue(System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(20), "runs not finished in 20 min");
                Thread.sleep(2000);
            }
            double took = (System.nanoTime() - t0) / 1e9;
            Sample after = sample(pid);
            line("");
            line("all %d collected in %.1f s (applied to the last finished)", runs, took);
            line("most followers alive at one sample: %d; live heap then %s (%s over idle), RSS %s, NMT committed %s",
                    peak.followers, mib(peak.live), mib(peak.live - base.live), mib(peak.rss), mib(peakNmt));
            if (peak.followers > 0) {
                line("  retained per follower (live heap over idle / followers): %s; byte[] then: %d arrays, %s",
                        kib((peak.live - base.live) / peak.followers), peak.byteArrays, mib(peak.byteArrayBytes));
            }
            Files.writeString(Path.of("target", "bench-memory-histogram.txt"), peak.histogram);
            line("live heap at that sample, largest classes (all in target/bench-memory-histogram.txt):");
            line("%s", peak.top(12));
            GcLog g = gcLog(gcLog);
            line("GC log: %d collections, largest heap after a collection %s, largest before %s, heap committed max %s",
                    g.count, mib(g.maxAfter), mib(g.maxBefore), mib(g.maxCommitted));
            line("after: live heap %s, RSS %s, peak RSS (VmHWM) %s", mib(after.live), mib(after.rss),
                    mib(status(pid, "VmHWM")));

            // Every output came back whole.
            int complete = 0;
            byte[] expected = EndToEndTest.big(size);
            for (int i = 0; i < runs; i++) {
                SandboxRunStatus s = r.get("m" + i).getStatus();
                assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
                assertTrue(s.getStdout().getComplete(), s.getMessage());
                assertArrayEquals(expected, r.storedStdout(s), "m" + i);
                complete++;
            }
            line("stdout complete and byte-for-byte: %d of %d", complete, runs);
        } finally {
            keepAlive.close();
            if (!op.waitFor(30, TimeUnit.SECONDS)) {
                op.destroy();
            }
            client.close();
            server.destroy();
            Files.writeString(Path.of("target", "bench-memory.txt"), report.toString());
        }
    }

    private record Sample(long live, long rss, int followers, long byteArrays, long byteArrayBytes, String histogram) {
        /** The histogram's head: where the live heap is. */
        String top(int lines) {
            return String.join("\n", histogram.lines().limit(lines + 3).toList());
        }
    }

    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern BYTES = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+\\[B(\\s|$)");
    private static final Pattern FOLLOWER = Pattern.compile(
            "(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+dev\\.sandboxrun\\.operator\\.output\\.StdoutFollower(\\s|$)");

    /** A full GC (the class histogram forces one), then what is live and the process's RSS. */
    private static Sample sample(long pid) throws IOException, InterruptedException {
        String h = jcmd(pid, "GC.class_histogram");
        Matcher t = TOTAL.matcher(h);
        if (!t.find()) {
            throw new AssertionError("no total in the class histogram: " + h);
        }
        Matcher f = FOLLOWER.matcher(h);
        Matcher b = BYTES.matcher(h);
        boolean hasBytes = b.find();
        return new Sample(Long.parseLong(t.group(2)), status(pid, "VmRSS"), f.find() ? Integer.parseInt(f.group(1)) : 0,
                hasBytes ? Long.parseLong(b.group(1)) : 0, hasBytes ? Long.parseLong(b.group(2)) : 0, h);
    }

    private static long nmtCommitted(long pid) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB").matcher(
                jcmd(pid, "VM.native_memory", "summary"));
        if (!m.find()) {
            throw new AssertionError("no NMT total");
        }
        return Long.parseLong(m.group(2)) * 1024;
    }

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        cmd.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("jcmd " + String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** A /proc/PID/status figure in bytes. */
    private static long status(long pid, String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (l.startsWith(field + ":")) {
                return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").trim()) * 1024;
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    private record GcLog(int count, long maxBefore, long maxAfter, long maxCommitted) {
    }

    private static final Pattern PAUSE = Pattern.compile("Pause .* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private static GcLog gcLog(Path file) throws IOException {
        int n = 0;
        long before = 0;
        long after = 0;
        long committed = 0;
        for (String l : Files.readAllLines(file)) {
            Matcher m = PAUSE.matcher(l);
            if (m.find()) {
                n++;
                before = Math.max(before, Long.parseLong(m.group(1)) << 20);
                after = Math.max(after, Long.parseLong(m.group(2)) << 20);
                committed = Math.max(committed, Long.parseLong(m.group(3)) << 20);
            }
        }
        if (n == 0) {
            throw new AssertionError("no collections in " + file);
        }
        return new GcLog(n, before, after, committed);
    }

    private static int countFinished(KubernetesClient client) {
        return (int) Runs.retrying(() -> client.resources(SandboxRun.class).inNamespace(NS).list()).getItems().stream()
                .filter(x -> x.getStatus() != null && x.getStatus().isFinished()).count();
    }

    private static String mib(long b) {
        return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
    }

    private static String kib(long b) {
        return String.format(Locale.ROOT, "%.0f KiB", b / 1024.0);
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.append(s).append('\n');
        System.out.println(s);
    }

    private static void progress(String s) {
        System.out.println("  .. " + s);
    }
}
