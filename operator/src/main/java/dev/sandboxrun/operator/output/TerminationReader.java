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

    public static PodOutcome read(Pod pod) {
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
                    return deadline(pod);
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
                return new PodOutcome.Ended(Verdict.MemoryLimitExceeded,
                        "the container was killed for exceeding its memory limit (OOMKilled)");
            }
            if ("DeadlineExceeded".equals(podReason)) {
                return deadline(pod);
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
                return deadline(pod);
            }
            return new PodOutcome.Infrastructure("pod failed" + (podReason == null ? "" : " (" + podReason + ")")
                    + (status.getMessage() == null ? "" : ": " + status.getMessage()));
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
        return new PodOutcome.InProgress();
    }

    private static PodOutcome deadline(Pod pod) {
        return new PodOutcome.Ended(Verdict.WallTimeLimitExceeded, "the pod's activeDeadlineSeconds ("
                + pod.getSpec().getActiveDeadlineSeconds() + "s) passed before the launcher reported");
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
