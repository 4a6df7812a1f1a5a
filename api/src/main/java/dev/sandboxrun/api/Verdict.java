package dev.sandboxrun.api;

/**
 * How a run ended: the launcher's verdicts (its contract) and the operator's own, which the
 * launcher cannot report.
 */
public enum Verdict {
    // The launcher's, as its contract names them.
    Completed(true),
    NonZeroExit(true),
    Signaled(true),
    CpuTimeLimitExceeded(true),
    WallTimeLimitExceeded(true),
    MemoryLimitExceeded(true),
    OutputLimitExceeded(true),
    SyscallViolation(true),
    LaunchError(true),
    // The operator's.
    /** The program's (or stdin's) ConfigMap or Secret did not appear in time. */
    ProgramNotFound(false),
    /** The spec breaks a ceiling of the operator's configuration, or cannot be run as written. */
    InvalidSpec(false),
    /** Eviction, deletion, node loss, image pull failure, after the last retry. */
    InfrastructureFailure(false);

    private final boolean fromLauncher;

    Verdict(boolean fromLauncher) {
        this.fromLauncher = fromLauncher;
    }

    /** Whether the launcher's result document may carry this verdict. */
    public boolean isFromLauncher() {
        return fromLauncher;
    }

    /** The launcher's verdict of this name, or null when there is none. */
    public static Verdict ofLauncher(String name) {
        if (name == null) {
            return null;
        }
        for (Verdict v : values()) {
            if (v.fromLauncher && v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
