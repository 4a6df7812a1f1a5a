package dev.sandboxrun.api;

/** A run's phase, as a pod's. */
public enum Phase {
    Pending, Running, Succeeded, Failed;

    public boolean isFinished() {
        return this == Succeeded || this == Failed;
    }
}
