package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Verdict;

/** What a sandbox pod says about its run, read from its status alone. */
public sealed interface PodOutcome {
    /** The container has not ended. */
    record InProgress() implements PodOutcome {
    }

    /** The container waits and cannot start (image pull, configuration); since when, as RFC 3339. */
    record Stuck(String reason, String message) implements PodOutcome {
    }

    /** The launcher ended and left its result. */
    record Result(LauncherResult result) implements PodOutcome {
    }

    /** The run ended without a usable result; the verdict comes from the pod. */
    record Ended(Verdict verdict, String message) implements PodOutcome {
    }

    /** The pod failed for reasons outside the program (eviction, deletion, node loss): retry. */
    record Infrastructure(String message) implements PodOutcome {
    }
}
