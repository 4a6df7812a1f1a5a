package dev.sandboxrun.operatorimage;

import dev.sandboxrun.launcherimage.Podman;
import dev.sandboxrun.launcherimage.TestPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator image in a real container runtime (podman + runc), run as the chart runs it: user 185:185,
 * read-only root file system with a memory-backed /tmp (the chart's emptyDir), all capabilities dropped, no
 * privilege escalation, the chart's memory limit. There is no Kubernetes API server here, so the operator is
 * pointed at a closed port: Quarkus must boot, serve its health and metrics endpoints, and report the refused
 * connection, with no missing class, module or shared library on the way. Without a working podman these
 * tests fail, saying why: they never pass by skipping.
 */
class ContainerRuntimeTest {
    /** The chart's defaults: operator.resources.limits.memory, the emptyDir on /tmp. */
    static final List<String> CHART_FLAGS = List.of(
            "--user", "185:185",
            "--read-only", "--read-only-tmpfs=false",
            "--tmpfs", "/tmp:rw,size=64m,mode=1777",
            "--cap-drop=ALL",
            "--security-opt", "no-new-privileges",
            "--network=none",
            "--memory=512m", "--memory-swap=512m");
    /** What a runtime missing a module or a library, or a bad file system layout, would log. */
    static final List<String> BROKEN = List.of("NoClassDefFoundError", "ClassNotFoundException", "UnsatisfiedLinkError",
            "ExceptionInInitializerError", "LinkageError", "Unable to find provider", "error while loading shared libraries",
            "Read-only file system", "AccessDeniedException", "Permission denied", "No such file or directory");
    /** Fabric8 takes its API server from the environment; port 9 (discard) refuses at once. */
    static final String API_SERVER = "http://127.0.0.1:9";
    static String image;

    @BeforeAll
    static void loadImage() throws Exception {
        Podman.ok(List.of("version"), 60);
        Podman.ok(List.of("load", "--input", TestPaths.property("sandboxrun.image.tarball")), 180);
        String digest = Files.readString(Path.of(TestPaths.property("sandboxrun.image.digest-file"))).trim();
        String reference = TestPaths.property("sandboxrun.image.reference");
        image = reference.substring(0, reference.lastIndexOf(':')) + "@" + digest;
        Podman.Result loaded = Podman.ok(List.of("image", "inspect", reference, "--format", "{{.Digest}}"), 60);
        assertEquals(digest, loaded.out().trim(), "podman keeps the manifest digest that the build recorded");
    }

    static List<String> run(String... rest) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(Podman.HOST_FLAGS);
        args.addAll(CHART_FLAGS);
        args.addAll(List.of(rest));
        return args;
    }

    @Test
    void theRuntimeHasExactlyTheChosenModules() {
        List<String> args = run("--entrypoint", "/opt/java/bin/java", image, "--list-modules");
        Podman.Result r = Podman.ok(args, 60);
        Set<String> modules = new TreeSet<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                modules.add(line.trim().replaceFirst("@.*$", ""));
            }
        }
        Set<String> expected = new TreeSet<>(List.of(TestPaths.property("sandboxrun.image.java-modules").split(",")));
        expected.add("java.security.sasl"); // required by java.naming
        assertEquals(expected, modules, r.describe(Podman.prefixed(args)));
    }

    @Test
    void theJvmRunsAs185WithUtf8AndTheImagesJavaHome() {
        List<String> args = run("--entrypoint", "/opt/java/bin/java", image, "-XshowSettings:properties", "-version");
        Podman.Result r = Podman.ok(args, 60);
        String settings = r.stderr();
        String d = r.describe(Podman.prefixed(args));
        assertTrue(settings.contains("java.home = /opt/java"), d);
        assertTrue(settings.contains("user.name = sandboxrun"), d);
        assertTrue(settings.contains("user.dir = /deployments"), d);
        assertTrue(settings.contains("java.io.tmpdir = /tmp"), d);
        assertTrue(settings.contains("sun.jnu.encoding = UTF-8"), d);
        assertTrue(settings.contains("java.version = " + Runtime.version().feature()), d);
    }

    @Test
    void quarkusBootsServesHealthAndMetricsAndReportsTheUnreachableApiServer() throws Exception {
        String name = "sandboxrun-operator-test-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name));
        args.addAll(Podman.HOST_FLAGS);
        args.addAll(CHART_FLAGS);
        args.addAll(List.of(
                "--env", "KUBERNETES_MASTER=" + API_SERVER,
                // Start the operator after the HTTP server, so that the endpoints answer while it fails.
                "--env", "QUARKUS_OPERATOR_SDK_ASYNC_START=true",
                image));
        try {
            Podman.ok(args, 60);
            String log = awaitLog(name, l -> l.contains("Listening on: http://0.0.0.0:8080"), 60);
            assertTrue(log.contains("sandboxrun-operator") && log.contains("powered by Quarkus"), log);
            assertTrue(log.contains("Registered reconciler: 'sandboxrun'"), log);

            String pid = Podman.ok(List.of("inspect", name, "--format", "{{.State.Pid}}"), 30).out().trim();
            Http started = get(pid, "/q/health/started");
            assertEquals(200, started.status(), started.toString());
            assertTrue(started.body().contains("\"UP\""), started.toString());
            Http live = get(pid, "/q/health/live");
            assertEquals(200, live.status(), live.toString());
            Http metrics = get(pid, "/q/metrics");
            assertEquals(200, metrics.status(), metrics.toString());
            // process_* come from com.sun.management (jdk.management).
            for (String metric : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_files_open_files")) {
                assertTrue(metrics.body().contains(metric), metric + " in /q/metrics:\n" + metrics.body());
            }

            log = awaitLog(name, l -> l.contains("Connection refused: /127.0.0.1:9"), 60);
            assertTrue(log.contains("Informer startup error"), log);
            // (While the informer still retries, the operator's readiness check waits for it.)
            Http ready = get(pid, "/q/health/ready");
            assertEquals(503, ready.status(), "not ready without an API server: " + ready);
            assertTrue(ready.body().contains("Quarkus Operator SDK health check"), ready.toString());
            log = logs(name);
            for (String bad : BROKEN) {
                assertFalse(log.contains(bad), bad + " in the operator's log:\n" + log);
            }
            System.out.println("operator container log, first lines:\n"
                    + String.join("\n", log.lines().limit(12).toList()));
        } finally {
            Podman.run(List.of("rm", "--force", "--time", "2", name), 60);
        }
    }

    /** The container's log once {@code until} holds; fails if the container stops first or time runs out. */
    static String awaitLog(String name, Predicate<String> until, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String log = logs(name);
            if (until.test(log)) {
                return log;
            }
            String state = Podman.ok(List.of("inspect", name, "--format", "{{.State.Status}} {{.State.ExitCode}}"), 30)
                    .out().trim();
            if (!state.startsWith("running") || System.nanoTime() > deadline) {
                throw new AssertionError("the operator container (" + state + ") did not log what was awaited in "
                        + seconds + " s:\n" + log);
            }
            Thread.sleep(500);
        }
    }

    /** The container's stdout and stderr (Quarkus logs to stdout). */
    static String logs(String name) {
        Podman.Result logs = Podman.ok(List.of("logs", name), 30);
        return logs.out() + logs.stderr();
    }

    record Http(int status, String body) {
    }

    /** GET from inside the container's network namespace (--network=none: nothing else reaches it). */
    static Http get(String pid, String path) throws IOException, InterruptedException {
        List<String> command = List.of("nsenter", "--target", pid, "--net", "curl", "--silent", "--show-error",
                "--max-time", "30", "--write-out", "\n%{http_code}", "http://127.0.0.1:8080" + path);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("nsenter and curl are needed to reach the container (apt-get install util-linux curl)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        int nl = out.lastIndexOf('\n');
        return new Http(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl));
    }
}
