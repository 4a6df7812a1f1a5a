package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.Set;

/**
 * Reads a sandbox pod's status: the launcher's result from the termination message, or the
 * verdict the launcher could not give (OOMKilled, the deadline, an eviction).
 */
public final class TerminationReader {
    private static final Set<String> STUCK = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    /** Pod reasons that mean the node, not the program, ended the run. */
    private static final Set<String> INFRASTRUCTURE = Set.of("Evicted", "Preempting", "NodeLost", "Terminated",
            "NodeShutdown", "NodeAffinity", "UnexpectedAdmissionError");

    private TerminationReader() {
    }

    /**
     * Why the cluster ended the pod, when it says so (condition DisruptionTarget, Kubernetes 1.26+:
     * PodGC after node loss, taint eviction, preemption), as " (reason: message)", or "".
     */
    static String disruption(PodStatus status) {
        if (status.getConditions() == null) {
            return "";
        }
        return status.getConditions().stream()
                .filter(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .map(c -> " (" + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")")
                .orElse("");
    }

    /** The outcome, with an unknown wall limit: a deadline is then taken as the program's. */
    public static PodOutcome read(Pod pod) {
        return read(pod, 0);
    }

    /**
     * @param wallMs the run's wall-clock limit: a pod deadline that passes before the container ran
     *     this long was spent starting (pull, mounts), not by the program
     */
    public static PodOutcome read(Pod pod, long wallMs) {
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        ContainerStatus cs = status.getContainerStatuses() == null ? null : status.getContainerStatuses().stream()
                .filter(c -> SandboxPods.CONTAINER.equals(c.getName())).findFirst().orElse(null);
        ContainerStateTerminated terminated = cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
        String podReason = status.getReason();

        if (terminated != null) {
            String problem;
            try {
                LauncherResult r = LauncherResult.parse(terminated.getMessage());
                if (r.verdictValue() != Verdict.LaunchError) {
                    return new PodOutcome.Result(r);
                }
                // A launcher stopped from outside (SIGTERM: exit 70, LaunchError) by the deadline, an
                // eviction or the pod's deletion did not fail on its own: say why it was stopped.
                if ("DeadlineExceeded".equals(podReason)) {
                    return deadline(pod, cs, wallMs);
                }
                if (podReason != null && INFRASTRUCTURE.contains(podReason)) {
                    return new PodOutcome.Infrastructure("pod " + podReason + ": " + nonNull(status.getMessage())
                            + " (launcher: " + r.message() + ")");
                }
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    return new PodOutcome.Infrastructure("pod deleted while the run was in progress (launcher: "
                            + r.message() + ")");
                }
                return new PodOutcome.Result(r);
            } catch (LauncherResult.InvalidResultException e) {
                problem = e.getMessage();
            }
            if ("OOMKilled".equals(terminated.getReason())) {
                // cgroup v2 (kubelet >= 1.28, memory.oom.group=1) kills the launcher with the program:
                // no result, but the log holds what the program wrote before.
                return new PodOutcome.Ended(Verdict.MemoryLimitExceeded, "the container was killed for exceeding its "
                        + "memory limit (OOMKilled" + memoryLimit(pod) + "); the launcher was killed with the program",
                        true);
            }
            if ("DeadlineExceeded".equals(podReason)) {
                return deadline(pod, cs, wallMs);
            }
            if (podReason != null && INFRASTRUCTURE.contains(podReason)) {
                return new PodOutcome.Infrastructure("pod " + podReason + ": " + nonNull(status.getMessage()));
            }
            if (pod.getMetadata().getDeletionTimestamp() != null && terminated.getExitCode() != null
                    && terminated.getExitCode() == 137) {
                return new PodOutcome.Infrastructure("pod deleted while the run was in progress");
            }
            return new PodOutcome.Ended(Verdict.LaunchError, "the launcher left no valid result (" + problem
                    + "); container exit code " + terminated.getExitCode()
                    + (terminated.getReason() == null ? "" : ", reason " + terminated.getReason()));
        }
        if ("Failed".equals(status.getPhase())) {
            if ("DeadlineExceeded".equals(podReason)) {
                return deadline(pod, cs, wallMs);
            }
            return new PodOutcome.Infrastructure("pod failed" + (podReason == null ? "" : " (" + podReason + ")")
                    + (status.getMessage() == null ? "" : ": " + status.getMessage()) + disruption(status));
        }
        if ("Succeeded".equals(status.getPhase())) {
            return new PodOutcome.Ended(Verdict.LaunchError, "pod succeeded without a container status");
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new PodOutcome.Infrastructure("pod deleted before the run ended");
        }
        ContainerStateWaiting waiting = cs == null || cs.getState() == null ? null : cs.getState().getWaiting();
        if (waiting != null && STUCK.contains(waiting.getReason())) {
            return new PodOutcome.Stuck(waiting.getReason(), nonNull(waiting.getMessage()));
        }
        if (status.getConditions() != null) {
            for (var c : status.getConditions()) {
                // pkg/scheduler/schedule_one.go: PodScheduled=False, reason Unschedulable, "0/N nodes are available: ..."
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                    return new PodOutcome.Stuck(c.getReason() == null ? "Unschedulable" : c.getReason(),
                            nonNull(c.getMessage()));
                }
            }
        }
        if (cs == null || cs.getState() == null || cs.getState().getRunning() == null) {
            return new PodOutcome.Starting(waiting == null || waiting.getReason() == null ? "Pending" : waiting.getReason());
        }
        return new PodOutcome.InProgress();
    }

    /**
     * The pod's deadline passed. It counts from the pod's admission, image pulls and mounts
     * included: it is the program's wall time only if the container ran at least the wall limit.
     */
    private static PodOutcome deadline(Pod pod, ContainerStatus cs, long wallMs) {
        ContainerStateTerminated t = cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
        String started = t == null ? null : t.getStartedAt();
        String finished = t == null ? null : t.getFinishedAt();
        if (t == null && wallMs > 0) {
            ContainerStateWaiting w = cs == null || cs.getState() == null ? null : cs.getState().getWaiting();
            return new PodOutcome.Infrastructure("the pod's activeDeadlineSeconds (" + pod.getSpec()
                    .getActiveDeadlineSeconds() + "s) passed before its container started"
                    + (w == null ? "" : " (" + w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage())
                    + ")"));
        }
        if (started != null && finished != null && wallMs > 0) {
            long ranMs = java.time.Duration.between(java.time.Instant.parse(started), java.time.Instant.parse(finished))
                    .toMillis();
            // Timestamps have second precision: a second of slack.
            if (ranMs + 1000 < wallMs) {
                return new PodOutcome.Infrastructure("the pod's activeDeadlineSeconds (" + pod.getSpec()
                        .getActiveDeadlineSeconds() + "s) passed after its container ran " + ranMs + " ms of the "
                        + wallMs + " ms wall-clock limit: the rest went to starting it");
            }
        }
        return new PodOutcome.Ended(Verdict.WallTimeLimitExceeded, "the pod's activeDeadlineSeconds ("
                + pod.getSpec().getActiveDeadlineSeconds() + "s) passed before the launcher reported");
    }

    private static String memoryLimit(Pod pod) {
        var c = pod.getSpec() == null ? null : pod.getSpec().getContainers().stream()
                .filter(x -> SandboxPods.CONTAINER.equals(x.getName())).findFirst().orElse(null);
        var limits = c == null || c.getResources() == null ? null : c.getResources().getLimits();
        var memory = limits == null ? null : limits.get("memory");
        return memory == null ? "" : " at the container's limit of " + memory.getNumericalAmount().toBigInteger() + " bytes";
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
