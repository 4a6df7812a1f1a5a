package dev.sandboxrun.launcherimage;

/**
 * The paths the pom hands the tests (surefire systemPropertyVariables). Shared with operator-image's
 * tests through this module's test-jar, with {@link Podman}.
 */
public final class TestPaths {
    private TestPaths() {
    }

    public static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests through Maven"
                    + " (mvn verify in its module)");
        }
        return v;
    }
}
