package dev.sandboxrun.operator.decide;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Placement;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.access.AccessPolicy;
import dev.sandboxrun.operator.access.RunAccess;
import dev.sandboxrun.operator.observe.Observed;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link Decide#decide} as a table: every row an observed state (the run, its pod, the queue, the
 * sources) and the one transition it must give. No client, no clock: the rows are the operator's
 * whole decision logic.
 */
class DecideTest {
    static final Instant CREATED = Instant.parse("2026-12-03T10:00:00Z");
    static final Instant NOW = CREATED.plusSeconds(60);
    static final String UID = "0b7c1c1e-5f5e-4c7a-9a59-3d0f5d6c9e11";
    static final DecideConfig CONFIG = new DecideConfig(EffectiveLimits.Defaults.CONTRACT,
            new EffectiveLimits.Ceilings(60_000, 120_000, 512L * 1024 * 1024, 8L * 1024 * 1024, 4000),
            Duration.ofSeconds(120), Duration.ofSeconds(300), new RunAccess(AccessPolicy.NONE));
    static final EffectiveLimits LIMITS = EffectiveLimits.resolve(spec(s -> { }), EffectiveLimits.Defaults.CONTRACT);
    static final String QUEUED = "queued: all 50 sandbox pods are in use";
    static final String POD1 = SandboxPods.podName(run(spec(s -> { }), st -> { }), 1);
    static final String POD2 = SandboxPods.podName(run(spec(s -> { }), st -> { }), 2);
    static final String RESULT = "{\"verdict\":\"Completed\",\"exitCode\":0,\"signal\":null,\"syscall\":null,"
            + "\"cpuMs\":1,\"wallMs\":1,\"maxRssBytes\":1,\"stdoutBytes\":0,\"stdoutSha256\":"
            + "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"stderrTail\":\"\",\"message\":\"ok\"}";

    record Row(String name, Observed observed, Consumer<Transition> expected) {
        Row(String name, Observed observed, Transition expected) {
            this(name, observed, got -> assertEquals(expected, got, name));
        }
    }

    static List<Row> rows() {
        SandboxRun fresh = run(spec(s -> { }), st -> { });
        SandboxRun queued = run(spec(s -> { }), st -> StatusMapper.waiting(st, Decide.REASON_QUEUED, QUEUED, CREATED));
        SandboxRun started = run(spec(s -> { }), st -> {
            st.setAttempts(1);
            StatusMapper.waiting(st, Decide.REASON_STARTING, "creating pod " + POD1, CREATED);
        });
        SandboxRun running = run(spec(s -> { }), st -> StatusMapper.running(st, POD1, 1, CREATED));
        SandboxRun runningRetry = run(spec(s -> s.setRetries(1)), st -> StatusMapper.running(st, POD1, 1, CREATED));
        SandboxRun lastRetry = run(spec(s -> s.setRetries(1)), st -> StatusMapper.running(st, POD2, 2, CREATED));
        SandboxRun done = run(spec(s -> { }), st -> {
            StatusMapper.running(st, POD1, 1, CREATED);
            StatusMapper.applyVerdict(st, Verdict.NonZeroExit, "exit 4", CREATED.plusSeconds(10));
        });
        SandboxRun doneTtl = run(spec(s -> s.setTtlSecondsAfterFinished(100L)), st -> {
            StatusMapper.running(st, POD1, 1, CREATED);
            StatusMapper.applyVerdict(st, Verdict.Completed, "ok", CREATED.plusSeconds(10));
        });
        SandboxRun doneShortTtl = run(spec(s -> s.setTtlSecondsAfterFinished(5L)), st -> {
            StatusMapper.running(st, POD1, 1, CREATED);
            StatusMapper.applyVerdict(st, Verdict.Completed, "ok", CREATED.plusSeconds(10));
        });
        SandboxRun tooMuch = run(spec(s -> s.setLimits(limits("2Gi"))), st -> { });
        SandboxRun unreadable = run(spec(s -> s.setLimits(limits("lots"))), st -> { });
        SandboxRun tolerating = run(spec(s -> {
            Placement p = new Placement();
            p.setTolerations(List.of(new TolerationBuilder().withKey("gpu").withOperator("Exists").build()));
            s.setPlacement(p);
        }), st -> { });
        SandboxRun late = run(spec(s -> { }), st -> { });
        late.getMetadata().setCreationTimestamp(NOW.minusSeconds(121).toString());

        Pod pending = pod(POD1, UID, CREATED.plusSeconds(1), b -> b.withNewStatus().withPhase("Pending").endStatus());
        Pod oldPending = pod(POD1, UID, NOW.minusSeconds(301), b -> b.withNewStatus().withPhase("Pending")
                .addNewContainerStatus().withName(SandboxPods.CONTAINER).withNewState().withNewWaiting()
                .withReason("ContainerCreating").endWaiting().endState().endContainerStatus().endStatus());
        Pod unschedulable = pod(POD1, UID, NOW.minusSeconds(301), b -> b.withNewStatus().withPhase("Pending")
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/1 nodes are available: 1 Insufficient memory.").endCondition().endStatus());
        Pod pullBackOff = pod(POD1, UID, NOW.minusSeconds(301), b -> b.withNewStatus().withPhase("Pending")
                .addNewContainerStatus().withName(SandboxPods.CONTAINER).withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"x\"").endWaiting().endState()
                .endContainerStatus().endStatus());
        Pod pullBackOffEarly = pod(POD1, UID, NOW.minusSeconds(10), b -> b.withNewStatus().withPhase("Pending")
                .addNewContainerStatus().withName(SandboxPods.CONTAINER).withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"x\"").endWaiting().endState()
                .endContainerStatus().endStatus());
        Pod podRunning = pod(POD1, UID, CREATED.plusSeconds(1), b -> b.withNewStatus().withPhase("Running")
                .addNewContainerStatus().withName(SandboxPods.CONTAINER).withNewState().withNewRunning().endRunning()
                .endState().endContainerStatus().endStatus());
        Pod result = terminated(POD1, "Succeeded", null, 0, "Completed", RESULT);
        Pod oom = terminated(POD1, "Failed", null, 137, "OOMKilled", null);
        Pod deadline = terminated(POD1, "Failed", "DeadlineExceeded", 137, "Error", null);
        Pod evicted = pod(POD1, UID, CREATED.plusSeconds(1), b -> b.withNewStatus().withPhase("Failed")
                .withReason("Evicted").withMessage("node low on memory").endStatus());
        Pod evicted2 = pod(POD2, UID, CREATED.plusSeconds(1), b -> b.withNewStatus().withPhase("Failed")
                .withReason("Evicted").withMessage("node low on memory").endStatus());
        Pod leftover = terminated(POD1, "Succeeded", null, 0, "Completed", RESULT);
        Pod terminating = pod(POD1, UID, CREATED.plusSeconds(1), b -> b.editMetadata()
                .withDeletionTimestamp(NOW.toString()).endMetadata());

        String disappeared = "pod " + POD1 + " disappeared before the run ended";
        return List.of(
                new Row("a new run behind the cap is queued, and says so once",
                        observed(fresh, null, QUEUED, null), new Transition.Wait(Decide.REASON_QUEUED, QUEUED, true,
                                Decide.QUEUE_SAFETY_POLL)),
                new Row("a queued run woken while still queued writes nothing (no request at all)",
                        observed(queued, null, QUEUED, null), new Transition.Nothing(Decide.QUEUE_SAFETY_POLL)),
                new Row("a run whose ConfigMap is missing waits for it",
                        observed(fresh, null, null, "ConfigMap prog key program"),
                        new Transition.Wait(Decide.REASON_SOURCE_MISSING, "waiting for ConfigMap prog key program",
                                true, Decide.SOURCE_POLL)),
                new Row("a source missing past the source-wait timeout is ProgramNotFound",
                        observed(late, null, null, "ConfigMap prog key program"),
                        new Transition.Finish(Verdict.ProgramNotFound, "ConfigMap prog key program not found after 120s",
                                null)),
                new Row("a run that may start records attempt 1 and creates its pod",
                        observed(fresh, null, null, null), new Transition.StartAttempt(1, LIMITS)),
                new Row("a limit beyond a ceiling is InvalidSpec, before any queue",
                        observed(tooMuch, null, QUEUED, null), new Transition.Finish(Verdict.InvalidSpec,
                                "limits.memory 2147483648 bytes exceeds the ceiling 536870912 bytes", null)),
                new Row("a limit that cannot be read is InvalidSpec naming the field",
                        observed(unreadable, null, null, null), finishLike(Verdict.InvalidSpec)),
                new Row("a placement outside the administrator's lists is InvalidSpec",
                        observed(tolerating, null, null, null), finishLike(Verdict.InvalidSpec)),
                new Row("an attempt recorded whose pod is not seen (crash, cache behind) creates it again",
                        observed(started, null, null, null), new Transition.StartAttempt(1, LIMITS)),
                new Row("the attempt's pod seen for the first time marks the run Running",
                        observed(started, podRunning, null, null), new Transition.PodRunning(POD1, 1, true, null)),
                new Row("a running run re-reconciled writes nothing",
                        observed(running, podRunning, null, null), new Transition.PodRunning(POD1, 1, false, null)),
                new Row("a starting pod wakes the run at its start timeout",
                        observed(running, pending, null, null), new Transition.PodRunning(POD1, 1, false,
                                Duration.between(NOW, CREATED.plusSeconds(1).plusSeconds(300)).plusMillis(50))),
                new Row("a pull back-off within the start timeout waits",
                        observed(running, pullBackOffEarly, null, null), new Transition.PodRunning(POD1, 1, false,
                                Duration.ofSeconds(290).plusMillis(50))),
                new Row("an image that cannot be pulled fails at the start timeout, naming it",
                        observed(running, pullBackOff, null, null), new Transition.CannotStart(POD1, "pod-uid",
                                "pod " + POD1 + " did not start within 300s: ImagePullBackOff: Back-off pulling image \"x\"",
                                false)),
                new Row("an unschedulable pod fails at the start timeout with the scheduler's reason",
                        observed(running, unschedulable, null, null), new Transition.CannotStart(POD1, "pod-uid",
                                "pod " + POD1 + " did not start within 300s: Unschedulable: 0/1 nodes are available: "
                                        + "1 Insufficient memory.", false)),
                new Row("a pod still creating its container at the timeout fails, with its last warning",
                        observed(running, oldPending, null, null), new Transition.CannotStart(POD1, "pod-uid",
                                "pod " + POD1 + " did not start within 300s: ContainerCreating", true)),
                new Row("the launcher's result is collected",
                        observed(running, result, null, null),
                        new Transition.Collect(POD1, 1, launcherResult())),
                new Row("a result on the pass that first sees the pod is collected at once",
                        observed(started, result, null, null),
                        new Transition.Collect(POD1, 1, launcherResult())),
                new Row("OOMKilled is MemoryLimitExceeded, keeping the log's stdout",
                        observed(running, oom, null, null), endedLike(Verdict.MemoryLimitExceeded, true)),
                new Row("the pod's deadline is WallTimeLimitExceeded",
                        observed(running, deadline, null, null), endedLike(Verdict.WallTimeLimitExceeded, false)),
                new Row("a pod deleted mid-run with no retry left fails the run",
                        observed(running, null, null, null), new Transition.Finish(Verdict.InfrastructureFailure,
                                disappeared + " (attempt 1 of 1)", POD1)),
                new Row("a pod deleted mid-run with a retry left starts attempt 2",
                        observed(runningRetry, null, null, null), new Transition.Retry(POD1, 1, 1, disappeared, LIMITS)),
                new Row("an evicted pod with a retry left starts attempt 2",
                        observed(runningRetry, evicted, null, null), new Transition.Retry(POD1, 1, 1,
                                "pod failed (Evicted): node low on memory", LIMITS)),
                new Row("retries exhausted: InfrastructureFailure, naming the attempt",
                        observed(lastRetry, evicted2, null, null), new Transition.Finish(Verdict.InfrastructureFailure,
                                "pod failed (Evicted): node low on memory (attempt 2 of 2)", POD2)),
                new Row("a pod of the attempt's name owned by another run UID is never used",
                        new Observed(running, null, true, null, null), new Transition.Finish(
                                Verdict.InfrastructureFailure, "pod " + POD1 + " belongs to another object", null)),
                new Row("a finished run re-reconciled writes nothing and deletes nothing",
                        observed(done, null, null, null), new Transition.Nothing(null)),
                new Row("a finished run whose pod is still there deletes it (a pass stopped before)",
                        observed(done, leftover, null, null), new Transition.DeletePod(POD1)),
                new Row("a finished run whose pod is going leaves it",
                        observed(done, terminating, null, null), new Transition.Nothing(null)),
                new Row("a finished run within its TTL wakes when it expires",
                        observed(doneTtl, null, null, null), new Transition.Nothing(Duration.ofSeconds(50))),
                new Row("a finished run past its TTL expires",
                        observed(doneShortTtl, null, null, null), new Transition.Expire()));
    }

    @TestFactory
    Stream<DynamicTest> everyObservedStateGivesItsTransition() {
        return rows().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            r.expected().accept(Decide.decide(r.observed(), CONFIG, NOW));
        }));
    }

    /** A row whose message is another unit's wording (EffectiveLimits, PlacementAccess): the verdict is this table's. */
    static Consumer<Transition> finishLike(Verdict v) {
        return got -> assertEquals(v, assertInstanceOf(Transition.Finish.class, got).verdict(), String.valueOf(got));
    }

    /** A pod's verdict as TerminationReaderTest words it. */
    static Consumer<Transition> endedLike(Verdict v, boolean logHasStdout) {
        return got -> {
            Transition.Ended e = assertInstanceOf(Transition.Ended.class, got);
            assertEquals(v, e.verdict(), String.valueOf(got));
            assertEquals(POD1, e.podName());
            assertEquals(logHasStdout, e.logHasStdout());
            assertEquals(LIMITS.stdoutMaxBytes(), e.stdoutMaxBytes());
        };
    }

    static LauncherResult launcherResult() {
        try {
            return LauncherResult.parse(RESULT);
        } catch (LauncherResult.InvalidResultException e) {
            throw new AssertionError(e);
        }
    }

    static Observed observed(SandboxRun run, Pod pod, String queued, String missing) {
        return new Observed(run, pod, false, queued, missing);
    }

    static dev.sandboxrun.api.Limits limits(String memory) {
        dev.sandboxrun.api.Limits l = new dev.sandboxrun.api.Limits();
        l.setMemory(memory);
        return l;
    }

    static SandboxRunSpec spec(Consumer<SandboxRunSpec> edit) {
        SandboxRunSpec s = new SandboxRunSpec();
        s.setProgram(ProgramSource.configMap("prog", "program"));
        edit.accept(s);
        return s;
    }

    static SandboxRun run(SandboxRunSpec spec, Consumer<SandboxRunStatus> status) {
        SandboxRun r = new SandboxRun();
        r.setMetadata(new ObjectMetaBuilder().withName("primes").withNamespace("ns").withUid(UID).withGeneration(1L)
                .withCreationTimestamp(CREATED.toString()).build());
        r.setSpec(spec);
        SandboxRunStatus st = new SandboxRunStatus();
        status.accept(st);
        r.setStatus(st);
        return r;
    }

    static Pod pod(String name, String ownerUid, Instant created, Consumer<PodBuilder> edit) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("pod-uid")
                .withCreationTimestamp(created.toString()).addNewOwnerReference().withUid(ownerUid).endOwnerReference()
                .endMetadata().withNewSpec().withActiveDeadlineSeconds(400L).endSpec();
        edit.accept(b);
        return b.build();
    }

    static Pod terminated(String name, String phase, String podReason, int exit, String reason, String message) {
        return pod(name, UID, CREATED.plusSeconds(1), b -> b.withNewStatus().withPhase(phase).withReason(podReason)
                .addNewContainerStatus().withName(SandboxPods.CONTAINER).withNewState().withNewTerminated()
                .withExitCode(exit).withReason(reason).withMessage(message).endTerminated().endState()
                .endContainerStatus().endStatus());
    }
}
