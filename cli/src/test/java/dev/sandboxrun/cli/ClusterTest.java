package dev.sandboxrun.cli;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.cli.cluster.StdoutChunks;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** submit, logs and get against the Fabric8 mock API server (CRUD); a small fake operator answers. */
@EnableKubernetesMockClient(crud = true)
class ClusterTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    private static Cli cli(String... args) {
        return Cli.run(() -> server.createClient(), args);
    }

    private static Path primes() {
        return Cli.EXAMPLES.resolve("primes/primes");
    }

    @Test
    void submitCreatesTheRunAndItsOwnedProgram() throws Exception {
        Cli c = cli("submit", "--name", "p1", "-n", "team", "--cpu", "2s", "--memory", "64Mi", primes().toString(), "--", "30");
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("p1\n", c.out());
        SandboxRun run = client.resources(SandboxRun.class).inNamespace("team").withName("p1").get();
        assertNotNull(run);
        assertEquals(List.of("30"), run.getSpec().getArgs());
        assertEquals("2s", run.getSpec().getLimits().getCpu());
        assertEquals("p1-program", run.getSpec().getProgram().getConfigMap().getName());
        ConfigMap cm = client.configMaps().inNamespace("team").withName("p1-program").get();
        assertArrayEquals(Files.readAllBytes(primes()), Base64.getDecoder().decode(cm.getBinaryData().get("program")));
        assertEquals("SandboxRun", cm.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals(run.getMetadata().getUid(), cm.getMetadata().getOwnerReferences().get(0).getUid());
    }

    @Test
    void submitWaitShowsPhasesThenStdout() throws Exception {
        byte[] stdout = "2\n3\n5\n7\n".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Void> operator = CompletableFuture.runAsync(() -> fakeOperator(client.getNamespace(), "w1", stdout, 2));
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "10\n");
        Cli c = cli("submit", "--name", "w1", "--wait", "--timeout", "20s", "--poll-interval", "50", "--stdin", in.toString(),
                primes().toString(), "--", "10");
        operator.get(30, TimeUnit.SECONDS);
        assertEquals(0, c.rc(), c.stderr());
        assertEquals("2\n3\n5\n7\n", c.out());
        assertTrue(c.stderr().contains("w1: Running"), c.stderr());
        assertTrue(c.stderr().contains("w1: Succeeded: Completed"), c.stderr());
        SandboxRun run = client.resources(SandboxRun.class).inNamespace(client.getNamespace()).withName("w1").get();
        assertEquals("10\n", run.getSpec().getStdin().getText());

        Cli logs = cli("logs", "w1");
        assertEquals(0, logs.rc(), logs.stderr());
        assertArrayEquals(stdout, logs.stdout());

        Cli get = cli("get", "w1");
        assertEquals(0, get.rc(), get.stderr());
        assertTrue(get.out().contains("verdict: Completed"), get.out());
        assertTrue(get.out().contains("phase: Succeeded"), get.out());
    }

    @Test
    void logsReassemblesSeveralChunksAndChecksTheHash() {
        byte[] big = new byte[700 * 1024 * 2 + 1234];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        submitQuietly("big");
        fakeOperator(client.getNamespace(), "big", big, 0);
        Cli c = cli("logs", "big");
        assertEquals(0, c.rc(), c.stderr());
        assertArrayEquals(big, c.stdout());

        // Tampered chunk: nothing printed, exit 15.
        client.configMaps().inNamespace(client.getNamespace()).withName("big-stdout-1").edit(cm -> {
            cm.getBinaryData().put("stdout", Base64.getEncoder().encodeToString(new byte[700 * 1024]));
            return cm;
        });
        c = cli("logs", "big");
        assertEquals(ExitCodes.STDOUT_NOT_VERIFIED, c.rc());
        assertEquals(0, c.stdout().length);
        assertTrue(c.stderr().contains("SHA-256 mismatch"), c.stderr());
    }

    @Test
    void getAndLogsOfWhatIsNotThere() {
        assertEquals(ExitCodes.NOT_FOUND, cli("get", "ghost").rc());
        assertEquals(ExitCodes.NOT_FOUND, cli("logs", "ghost").rc());
        submitQuietly("pending");
        Cli c = cli("logs", "pending");
        assertEquals(ExitCodes.NOT_FINISHED, c.rc());
        assertTrue(c.stderr().contains("is Pending"), c.stderr());
    }

    @Test
    void aProgramTooLargeForSixtyFourPartsIsToldToUseAnImage() throws Exception {
        Path big = tmp.resolve("big");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(dev.sandboxrun.api.ProgramLayout.PROGRAM_MAX_BYTES + 1);   // sparse: nothing written
        }
        Cli c = cli("submit", big.toString());
        assertEquals(ExitCodes.BAD_INPUT, c.rc());
        assertTrue(c.stderr().contains("image volume") && c.stderr().contains("spec.program.image"), c.stderr());
        assertTrue(client.resources(SandboxRun.class).inAnyNamespace().list().getItems().stream()
                .noneMatch(r -> r.getMetadata().getName().startsWith("big-")));
    }

    @Test
    void aDynamicallyLinkedProgramIsRefusedBeforeUpload() {
        Cli c = cli("submit", "/bin/true");
        assertEquals(ExitCodes.LAUNCH_ERROR, c.rc());
        assertTrue(c.stderr().contains("dynamically linked"), c.stderr());
    }

    @Test
    void submitWaitExitsWithTheVerdictsCode() {
        CompletableFuture<Void> operator = CompletableFuture.runAsync(() -> {
            SandboxRun run = awaitRun(client.getNamespace(), "bad");
            SandboxRunStatus s = new SandboxRunStatus();
            StatusMapper.running(s, "bad-run-1", 1, Instant.now());
            StatusMapper.applyResult(s, result("SyscallViolation", null, "socket", new byte[0]),
                    StatusMapper.CollectedStdout.NONE, Instant.now());
            run.setStatus(s);
            client.resources(SandboxRun.class).inNamespace(client.getNamespace()).resource(run).updateStatus();
        });
        Cli c = cli("submit", "--name", "bad", "--wait", "--timeout", "20s", "--poll-interval", "50",
                Cli.EXAMPLES.resolve("attack/attack").toString());
        operator.join();
        assertEquals(ExitCodes.SYSCALL_VIOLATION, c.rc(), c.stderr());
    }

    private void submitQuietly(String name) {
        Cli c = cli("submit", "--name", name, primes().toString());
        assertEquals(0, c.rc(), c.stderr());
    }

    private static SandboxRun awaitRun(String ns, String name) {
        for (int i = 0; i < 600; i++) {
            SandboxRun run = client.resources(SandboxRun.class).inNamespace(ns).withName(name).get();
            if (run != null) {
                return run;
            }
            sleep(20);
        }
        throw new AssertionError("sandboxrun " + name + " never appeared");
    }

    /** What the operator does, in its layout: Running, then the result and the stdout ConfigMaps. */
    private static void fakeOperator(String ns, String name, byte[] stdout, int runningPolls) {
        SandboxRun run = awaitRun(ns, name);
        SandboxRunStatus s = new SandboxRunStatus();
        StatusMapper.running(s, name + "-run-1", 1, Instant.now());
        run.setStatus(s);
        run = client.resources(SandboxRun.class).inNamespace(ns).resource(run).updateStatus();
        // Stay Running until the CLI has polled that many times since (each poll is one request to
        // the server, and nothing else talks to it meanwhile): a fixed sleep lost the race on a loaded machine.
        int seen = server.getRequestCount();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (server.getRequestCount() < seen + runningPolls && System.nanoTime() < deadline) {
            sleep(20);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0, off = 0; off < stdout.length; i++, off += 700 * 1024) {
            String cmName = StdoutChunks.configMapName(name, i);
            client.resource(new ConfigMapBuilder().withNewMetadata().withName(cmName).withNamespace(ns)
                    .addToAnnotations(StdoutChunks.ANNOTATION_OFFSET, String.valueOf(off)).endMetadata()
                    .addToBinaryData(StdoutChunks.KEY, Base64.getEncoder().encodeToString(
                            Arrays.copyOfRange(stdout, off, Math.min(stdout.length, off + 700 * 1024))))
                    .build()).create();
            names.add(cmName);
        }
        StatusMapper.applyResult(s, result("Completed", 0, null, stdout),
                new StatusMapper.CollectedStdout(Arrays.copyOf(stdout, Math.min(stdout.length, 4100)), names, true),
                Instant.now());
        run.setStatus(s);
        client.resources(SandboxRun.class).inNamespace(ns).resource(run).updateStatus();
        assertEquals(Phase.Succeeded, s.getPhase());
    }

    private static LauncherResult result(String verdict, Integer exit, String syscall, byte[] stdout) {
        return new LauncherResult(verdict, exit, null, syscall, 3, 4, 700_000, stdout.length,
                StdoutChunks.sha256(stdout), "", verdict.equals("Completed") ? "exited with code 0" : "denied " + syscall);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
