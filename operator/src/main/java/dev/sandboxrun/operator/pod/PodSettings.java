package dev.sandboxrun.operator.pod;

/** What the pod factory takes from the operator's configuration (plain values, easy to test). */
public record PodSettings(String launcherImage, String launcherPath, String imagePullPolicy,
                          long memoryOverheadBytes, String ephemeralStorage, long deadlineGraceSeconds,
                          String defaultRuntimeClassName) {

    /** Settings without a default RuntimeClass. */
    public PodSettings(String launcherImage, String launcherPath, String imagePullPolicy,
                       long memoryOverheadBytes, String ephemeralStorage, long deadlineGraceSeconds) {
        this(launcherImage, launcherPath, imagePullPolicy, memoryOverheadBytes, ephemeralStorage,
                deadlineGraceSeconds, null);
    }
}
