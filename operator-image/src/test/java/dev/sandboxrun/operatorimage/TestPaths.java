package dev.sandboxrun.operatorimage;

/** The paths the pom hands the tests (surefire systemPropertyVariables). */
final class TestPaths {
    private TestPaths() {
    }

    static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests through Maven"
                    + " (mvn -pl operator-image verify)");
        }
        return v;
    }
}
