package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Verdict;

/** What a sandbox pod says about its run, read from its status alone. */
public sealed interface PodOutcome {
    /** The container has not ended. */
    record InProgress() implements PodOutcome {
    }

    /** The container waits and cannot start (no node fits, image pull, configuration). */
    record Stuck(String reason, String message) implements PodOutcome {
    }

    /** The pod is scheduled and its container is being created (image pull, volume mounts). */
    record Starting(String reason) implements PodOutcome {
    }

    /** The launcher ended and left its result. */
    record Result(LauncherResult result) implements PodOutcome {
    }

    /**
     * The run ended without a usable result; the verdict comes from the pod.
     *
     * @param logHasStdout the container's log holds the program's stdout so far (it was killed with
     *     the launcher, as an OOM under cgroup v2 does), worth keeping though it cannot be verified
     */
    record Ended(Verdict verdict, String message, boolean logHasStdout) implements PodOutcome {
        public Ended(Verdict verdict, String message) {
            this(verdict, message, false);
        }
    }

    /** The pod failed for reasons outside the program (eviction, deletion, node loss): retry. */
    record Infrastructure(String message) implements PodOutcome {
    }
}
