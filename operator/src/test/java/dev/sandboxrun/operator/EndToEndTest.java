package dev.sandboxrun.operator;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import dev.sandboxrun.operator.output.StdoutStore;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apply a SandboxRun, let the simulated node run the real launcher on small static programs, read
 * the verdict and the stdout back: every verdict, binary and 8 MiB stdout, strict and threads.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class EndToEndTest {
    static final String NS = "e2e";
    static SimulatedNode node;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    Runs runs;

    @BeforeEach
    void startNode() throws Exception {
        if (node == null) {
            node = new SimulatedNode(client, server.getKubernetesMockServer()).start();
        }
        runs = new Runs(client, NS);
        runs.program("greet-bin", TestPrograms.program("greet"));
        runs.program("behave-bin", TestPrograms.program("behave"));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    @Test
    void completedRunHasItsExactStdoutInConfigMapsAndStatus() {
        runs.apply("greet", Runs.withStdin(Runs.spec("greet-bin", "world", "two words"), "from stdin\n"));
        SandboxRunStatus s = runs.awaitFinished("greet");

        String expected = "hello\narg 1: world\narg 2: two words\nfrom stdin\n";
        assertEquals(Phase.Succeeded, s.getPhase(), s.getMessage());
        assertEquals(Verdict.Completed, s.getVerdict());
        assertEquals(0, s.getExitCode());
        assertNull(s.getSignal());
        assertEquals(1, s.getAttempts());
        assertEquals(runs.pod("greet", 1), s.getPodName());
        assertEquals(expected.length(), s.getStdout().getBytes());
        assertEquals(StdoutStore.sha256(expected.getBytes()), s.getStdout().getSha256());
        assertTrue(s.getStdout().getComplete());
        assertEquals(expected, s.getStdout().getPreview());
        assertEquals(List.of("greet-stdout-0"), s.getStdout().getConfigMaps());
        assertEquals(expected, new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertNotNull(s.getUsage().getCpuMs());
        assertNotNull(s.getUsage().getMemoryEnforcement(), "the launcher says how it enforced memory");
        assertNotNull(s.getStartTime());
        assertNotNull(s.getCompletionTime());
        assertEquals("True", s.condition(StatusMapper.COMPLETE).getStatus());
        assertNull(s.condition(StatusMapper.FAILED));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.pods().inNamespace(NS).withName(runs.pod("greet", 1)).get() == null);
        assertEquals(1, node.runs.get(runs.pod("greet", 1)));

        // Operating it: an event per transition, and the meters.
        List<String> reasons = client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "greet".equals(e.getInvolvedObject().getName()))
                .map(Event::getReason).toList();
        assertTrue(reasons.containsAll(List.of("Started", "Finished")), reasons.toString());
        assertTrue(registry.get("sandboxrun.runs.finished").tag("verdict", "Completed").counter().count() >= 1);
        assertTrue(registry.get("sandboxrun.run.duration").tag("verdict", "Completed").timer().count() >= 1);
        assertTrue(registry.get("sandboxrun.collection").timer().count() >= 1);
        assertNotNull(registry.get("sandboxrun.queue.length").gauge());
    }

    static Stream<Arguments> verdicts() {
        Consumer<SandboxRunSpec> none = s -> { };
        return Stream.of(
                Arguments.of("nonzero", List.of("exit", "3"), (Consumer<SandboxRunSpec>) s -> s.setRetries(2),
                        "NonZeroExit", "exit 3\n"),
                Arguments.of("segv", List.of("segv"), none, "Signaled", ""),
                Arguments.of("spin", List.of("spin"), limits(l -> l.setCpu("300ms")), "CpuTimeLimitExceeded", ""),
                Arguments.of("sleepy", List.of("sleep", "20000"), limits(l -> {
                    l.setCpu("300ms");
                    l.setWallClock("500ms");
                }), "WallTimeLimitExceeded", ""),
                Arguments.of("hungry", List.of("memory", "96"), limits(l -> l.setMemory("16Mi")),
                        "MemoryLimitExceeded", ""),
                Arguments.of("chatty", List.of("big", "5000"), limits(l -> l.setStdout("1000")),
                        "OutputLimitExceeded", null),
                Arguments.of("netcat", List.of("socket"), none, "SyscallViolation", ""),
                Arguments.of("threads", List.of("threads", "8"), (Consumer<SandboxRunSpec>) s ->
                        s.setProfile(Profile.THREADS), "Completed", "sum 36\n"),
                Arguments.of("threads-denied", List.of("threads", "2"), none, "SyscallViolation", ""));
    }

    static Consumer<SandboxRunSpec> limits(Consumer<dev.sandboxrun.api.Limits> set) {
        return s -> Runs.withLimits(s, set);
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("verdicts")
    void everyVerdictComesBackWithItsStdout(String name, List<String> args, Consumer<SandboxRunSpec> customise,
                                            String verdict, String stdout) {
        SandboxRunSpec spec = Runs.spec("behave-bin", args.toArray(String[]::new));
        customise.accept(spec);
        runs.apply(name, spec);
        SandboxRunStatus s = runs.awaitFinished(name);
        assertEquals(Verdict.valueOf(verdict), s.getVerdict(), s.getMessage());
        assertEquals(verdict.equals("Completed") ? Phase.Succeeded : Phase.Failed, s.getPhase());
        assertEquals(1, s.getAttempts(), "a program's own verdict is never retried");
        assertEquals(1, node.runs.get(runs.pod(name, 1)));
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        byte[] stored = runs.storedStdout(s);
        assertEquals(s.getStdout().getBytes(), stored.length);
        assertEquals(s.getStdout().getSha256(), StdoutStore.sha256(stored));
        if (stdout != null) {
            assertEquals(stdout, new String(stored, StandardCharsets.UTF_8));
        }
        assertEquals(verdict, s.condition(verdict.equals("Completed") ? StatusMapper.COMPLETE : StatusMapper.FAILED)
                .getReason());
        switch (verdict) {
            case "Signaled" -> assertEquals("SIGSEGV", s.getSignal());
            case "SyscallViolation" -> assertNotNull(s.getSyscall(), "the denied call is named");
            case "OutputLimitExceeded" -> assertArrayEquals(Arrays.copyOf(big(5000), 1000), stored);
            default -> { }
        }
        if (name.equals("netcat")) {
            assertEquals("socket", s.getSyscall());
        }
    }

    @Test
    void binaryStdoutRoundTripsByteForByte() {
        runs.apply("binary", Runs.spec("behave-bin", "binary"));
        SandboxRunStatus s = runs.awaitFinished("binary");
        byte[] expected = new byte[260];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        expected[256] = (byte) 0xC3;
        expected[257] = 0x28;
        expected[258] = (byte) 0xFF;
        expected[259] = 0;
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertArrayEquals(expected, runs.storedStdout(s));
        assertNull(s.getStdout().getPreview(), "no preview for what is not UTF-8 text");
    }

    @Test
    void eightMebibytesOfStdoutAreChunkedAndReassembledExactly() {
        int size = 8 * 1024 * 1024;
        runs.apply("eight", Runs.withLimits(Runs.spec("behave-bin", "big", String.valueOf(size)),
                l -> l.setStdout("8Mi")));
        SandboxRunStatus s = runs.awaitFinished("eight", Duration.ofSeconds(120));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertTrue(s.getStdout().getComplete(), s.getMessage());
        assertEquals(size, s.getStdout().getBytes());
        int chunks = (size + StdoutStore.CHUNK_BYTES - 1) / StdoutStore.CHUNK_BYTES;
        assertEquals(chunks, s.getStdout().getConfigMaps().size());
        byte[] stored = runs.storedStdout(s);
        assertEquals(size, stored.length);
        assertArrayEquals(big(size), stored);
    }

    @Test
    void strictRunsAFreestandingProgram() {
        runs.program("strict-bin", TestPrograms.freestanding("strict-echo-nolibc"));
        runs.apply("strict", Runs.withStdin(Runs.withProfile(Runs.spec("strict-bin"), Profile.STRICT), "hi\n"));
        SandboxRunStatus s = runs.awaitFinished("strict");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals("strict: hi\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    @Test
    void aDynamicallyLinkedProgramIsALaunchError() {
        runs.program("dynamic-bin", TestPrograms.dynamic("greet"));
        runs.apply("dynamic", Runs.spec("dynamic-bin"));
        SandboxRunStatus s = runs.awaitFinished("dynamic");
        assertEquals(Verdict.LaunchError, s.getVerdict());
        assertEquals(Phase.Failed, s.getPhase());
        assertEquals(1, s.getAttempts());
        assertFalse(s.getMessage().isBlank());
    }

    @Test
    void aMissingProgramConfigMapMakesTheRunWaitUntilItAppears() {
        runs.apply("late", Runs.spec("late-bin"));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var r = runs.get("late");
            return r.getStatus() != null && r.getStatus().condition(StatusMapper.WAITING) != null;
        });
        SandboxRunStatus waiting = runs.get("late").getStatus();
        assertEquals(Phase.Pending, waiting.getPhase());
        assertEquals("SourceMissing", waiting.condition(StatusMapper.WAITING).getReason());
        assertTrue(waiting.getMessage().contains("ConfigMap late-bin key program"), waiting.getMessage());
        runs.program("late-bin", TestPrograms.program("greet"));
        SandboxRunStatus s = runs.awaitFinished("late");
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertNull(s.condition(StatusMapper.WAITING));
    }

    @Test
    void aProgramThatNeverAppearsIsProgramNotFoundAfterTheConfiguredWait() {
        long t0 = System.nanoTime();
        runs.apply("never", Runs.spec("never-bin"));
        SandboxRunStatus s = runs.awaitFinished("never", Duration.ofSeconds(30));
        assertEquals(Verdict.ProgramNotFound, s.getVerdict());
        assertEquals(Phase.Failed, s.getPhase());
        assertTrue(s.getMessage().contains("never-bin"), s.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 5000, "waited the configured 6s");
        assertNull(client.pods().inNamespace(NS).withName(runs.pod("never", 1)).get());
    }

    @Test
    void aSpecBeyondTheCeilingsIsInvalidSpec() {
        runs.apply("greedy", Runs.withLimits(Runs.spec("behave-bin", "exit", "0"), l -> l.setMemory("1Gi")));
        SandboxRunStatus s = runs.awaitFinished("greedy");
        assertEquals(Verdict.InvalidSpec, s.getVerdict());
        assertTrue(s.getMessage().contains("limits.memory"), s.getMessage());
        assertEquals("InvalidSpec", s.condition(StatusMapper.FAILED).getReason());
        assertFalse(node.runs.containsKey(runs.pod("greedy", 1)), "no pod for an invalid spec");
    }

    @Test
    void aLogMissingItsDataFramesIsNeverComplete() {
        // Only the E frame is left of the log: the count and SHA-256 are there, the bytes are not.
        node.tamperLog("short-run-", log -> new String(log, StandardCharsets.US_ASCII).lines()
                .filter(l -> l.startsWith("SR1 0 E ")).map(l -> l + "\n").reduce("", String::concat)
                .getBytes(StandardCharsets.US_ASCII));
        runs.apply("short", Runs.spec("greet-bin", "x"));
        SandboxRunStatus s = runs.awaitFinished("short");
        assertEquals(Verdict.Completed, s.getVerdict());
        assertFalse(s.getStdout().getComplete());
        assertTrue(s.getMessage().contains("stdout incomplete: bytes 0 to 14 of 15"), s.getMessage());
        assertEquals("", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
    }

    /** What behave.c's "big N" writes: a xorshift64 stream, one byte per step. */
    static byte[] big(int n) {
        byte[] b = new byte[n];
        long x = 88172645463325252L;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }
}
