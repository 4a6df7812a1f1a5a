package dev.sandboxrun.operator.pod;

/** What the pod factory takes from the operator's configuration (plain values, easy to test). */
public record PodSettings(String launcherImage, String launcherPath, String imagePullPolicy,
                          long memoryOverheadBytes, String ephemeralStorage, long deadlineGraceSeconds) {
}
