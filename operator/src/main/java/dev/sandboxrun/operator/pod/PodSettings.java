package dev.sandboxrun.operator.pod;

/**
 * What the pod factory takes from the operator's configuration (plain values, easy to test).
 *
 * @param startTimeoutSeconds how long a pod may take to start (pull, mount); added to the pod's
 *     deadline, which counts from admission
 */
public record PodSettings(String launcherImage, String launcherPath, String imagePullPolicy,
                          long memoryOverheadBytes, String ephemeralStorage, long deadlineGraceSeconds,
                          String defaultRuntimeClassName, long startTimeoutSeconds) {

    /** Settings without a default RuntimeClass, with the default 5-minute start timeout. */
    public PodSettings(String launcherImage, String launcherPath, String imagePullPolicy,
                       long memoryOverheadBytes, String ephemeralStorage, long deadlineGraceSeconds) {
        this(launcherImage, launcherPath, imagePullPolicy, memoryOverheadBytes, ephemeralStorage,
                deadlineGraceSeconds, null, 300);
    }
}
