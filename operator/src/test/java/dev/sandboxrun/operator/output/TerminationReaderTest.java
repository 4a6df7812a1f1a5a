package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.Verdict;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures the launcher cannot report, read from the pod (issue 3 §3). */
class TerminationReaderTest {
    static Pod terminated(String podPhase, String podReason, int exit, String reason, String message) {
        return new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(40L).endSpec()
                .withNewStatus().withPhase(podPhase).withReason(podReason)
                .addNewContainerStatus().withName("sandbox").withNewState().withNewTerminated()
                .withExitCode(exit).withReason(reason).withMessage(message)
                .endTerminated().endState().endContainerStatus().endStatus().build();
    }

    @Test
    void validMessageIsTheResult() {
        String doc = "{\"verdict\":\"Completed\",\"exitCode\":0,\"signal\":null,\"syscall\":null,\"cpuMs\":1,"
                + "\"wallMs\":1,\"maxRssBytes\":1,\"stdoutBytes\":0,\"stdoutSha256\":\""
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"stderrTail\":\"\",\"message\":\"ok\"}";
        var o = TerminationReader.read(terminated("Succeeded", null, 0, "Completed", doc));
        assertEquals(Verdict.Completed, assertInstanceOf(PodOutcome.Result.class, o).result().verdictValue());
    }

    @Test
    void oomKilledIsMemoryLimitExceeded() {
        var o = TerminationReader.read(terminated("Failed", null, 137, "OOMKilled", null));
        assertEquals(Verdict.MemoryLimitExceeded, assertInstanceOf(PodOutcome.Ended.class, o).verdict());
    }

    @Test
    void deadlineIsWallTimeLimitExceeded() {
        var o = TerminationReader.read(terminated("Failed", "DeadlineExceeded", 137, "Error", null));
        assertEquals(Verdict.WallTimeLimitExceeded, assertInstanceOf(PodOutcome.Ended.class, o).verdict());
    }

    @Test
    void noOrInvalidMessageIsLaunchErrorWithTheReason() {
        var o = assertInstanceOf(PodOutcome.Ended.class,
                TerminationReader.read(terminated("Failed", null, 70, "Error", "{not json")));
        assertEquals(Verdict.LaunchError, o.verdict());
        assertTrue(o.message().contains("not valid JSON"), o.message());
        assertTrue(o.message().contains("exit code 70"), o.message());
    }

    @Test
    void evictionIsAnInfrastructureFailure() {
        Pod evicted = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Failed").withReason("Evicted").withMessage("node low on memory")
                .endStatus().build();
        assertInstanceOf(PodOutcome.Infrastructure.class, TerminationReader.read(evicted));
    }

    @Test
    void aPodFailedByPodGcAfterNodeLossIsAnInfrastructureFailureNamingIt() {
        // The kubelet is gone: the container's last reported state is Running; PodGC marks the pod
        // Failed with DisruptionTarget before it deletes it (Kubernetes 1.26+).
        Pod gone = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Failed").addNewCondition().withType("DisruptionTarget").withStatus("True")
                .withReason("DeletionByPodGC").withMessage("PodGC: node no longer exists").endCondition()
                .addNewContainerStatus().withName("sandbox").withNewState().withNewRunning().endRunning().endState()
                .endContainerStatus().endStatus().build();
        var o = assertInstanceOf(PodOutcome.Infrastructure.class, TerminationReader.read(gone));
        assertTrue(o.message().contains("DeletionByPodGC: PodGC: node no longer exists"), o.message());
    }

    @Test
    void imagePullFailureIsStuck() {
        Pod p = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("sandbox").withNewState()
                .withNewWaiting().withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus()
                .endStatus().build();
        assertEquals("ImagePullBackOff", assertInstanceOf(PodOutcome.Stuck.class, TerminationReader.read(p)).reason());
    }

    static final String CANCELLED = "{\"verdict\":\"LaunchError\",\"exitCode\":null,\"signal\":\"SIGKILL\","
            + "\"syscall\":null,\"cpuMs\":2,\"wallMs\":302,\"maxRssBytes\":1,\"stdoutBytes\":0,\"stdoutSha256\":\""
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"memoryEnforcement\":\"cgroup-v2\","
            + "\"message\":\"stopped: the launcher was asked to stop\",\"stderrTail\":\"\"}";

    @Test
    void aLauncherStoppedByAnEvictionIsAnInfrastructureFailureNotItsLaunchError() {
        var o = TerminationReader.read(terminated("Failed", "Evicted", 70, "Error", CANCELLED));
        var i = assertInstanceOf(PodOutcome.Infrastructure.class, o);
        assertTrue(i.message().contains("Evicted"), i.message());
    }

    @Test
    void aLauncherStoppedByThePodsDeletionIsAnInfrastructureFailure() {
        Pod p = terminated("Failed", null, 70, "Error", CANCELLED);
        p.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertInstanceOf(PodOutcome.Infrastructure.class, TerminationReader.read(p));
    }

    @Test
    void aLauncherStoppedAtTheDeadlineIsWallTimeLimitExceeded() {
        var o = TerminationReader.read(terminated("Failed", "DeadlineExceeded", 70, "Error", CANCELLED));
        assertEquals(Verdict.WallTimeLimitExceeded, assertInstanceOf(PodOutcome.Ended.class, o).verdict());
    }

    @Test
    void aLaunchErrorOfItsOwnIsTheResult() {
        var o = TerminationReader.read(terminated("Failed", null, 70, "Error", CANCELLED));
        assertEquals(Verdict.LaunchError, assertInstanceOf(PodOutcome.Result.class, o).result().verdictValue());
    }

    static Pod ran(String started, String finished) {
        Pod p = terminated("Failed", "DeadlineExceeded", 70, "Error", CANCELLED);
        var t = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        t.setStartedAt(started);
        t.setFinishedAt(finished);
        return p;
    }

    /** The pod's deadline counts from admission: only a container that ran its wall limit ran out of time. */
    @Test
    void aDeadlineIsTheProgramsOnlyWhenTheContainerRanItsWallLimit() {
        var slowStart = TerminationReader.read(ran("2026-01-01T00:00:35Z", "2026-01-01T00:00:40Z"), 10_000);
        assertTrue(assertInstanceOf(PodOutcome.Infrastructure.class, slowStart).message().contains("starting"),
                slowStart.toString());
        var ranOut = TerminationReader.read(ran("2026-01-01T00:00:00Z", "2026-01-01T00:00:40Z"), 10_000);
        assertEquals(Verdict.WallTimeLimitExceeded, assertInstanceOf(PodOutcome.Ended.class, ranOut).verdict());
        Pod neverStarted = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(40L).endSpec()
                .withNewStatus().withPhase("Failed").withReason("DeadlineExceeded").addNewContainerStatus()
                .withName("sandbox").withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting()
                .endState().endContainerStatus().endStatus().build();
        var pulled = assertInstanceOf(PodOutcome.Infrastructure.class, TerminationReader.read(neverStarted, 10_000));
        assertTrue(pulled.message().contains("before its container started"), pulled.message());
    }

    @Test
    void aPodNoNodeTakesIsStuckWithTheSchedulersMessage() {
        Pod p = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory.")
                .endCondition().endStatus().build();
        var s = assertInstanceOf(PodOutcome.Stuck.class, TerminationReader.read(p, 1000));
        assertEquals("Unschedulable", s.reason());
        assertTrue(s.message().contains("Insufficient memory"));
    }

    @Test
    void anOomKilledLauncherLeavesStdoutInTheLog() {
        var o = assertInstanceOf(PodOutcome.Ended.class,
                TerminationReader.read(terminated("Failed", null, 137, "OOMKilled", null), 1000));
        assertEquals(Verdict.MemoryLimitExceeded, o.verdict());
        assertTrue(o.logHasStdout());
    }

    @Test
    void aPodBeingCreatedIsStarting() {
        Pod p = new PodBuilder().withNewMetadata().withName("r-run-1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("sandbox").withNewState()
                .withNewWaiting().withReason("ContainerCreating").endWaiting().endState().endContainerStatus()
                .endStatus().build();
        assertEquals("ContainerCreating", assertInstanceOf(PodOutcome.Starting.class, TerminationReader.read(p, 1))
                .reason());
    }
}
