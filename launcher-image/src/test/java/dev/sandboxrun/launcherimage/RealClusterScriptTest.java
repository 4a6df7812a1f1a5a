package dev.sandboxrun.launcherimage;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/real-cluster-test loads the tarball this module builds and hands RealClusterTest the image
 * under the name this module gives it: its --dry-run must name exactly those, or a kind cluster would
 * be given one image and the pods another (which only a real cluster would show).
 */
class RealClusterScriptTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theDryRunLoadsThisTarballAndPassesThisImageToTheTests() throws Exception {
        Path tarball = Path.of(TestPaths.property("sandboxrun.image.tarball")).toAbsolutePath().normalize();
        Path propertiesFile = Path.of(TestPaths.property("sandboxrun.image.properties"));
        assertTrue(Files.isRegularFile(tarball), "the build wrote no " + tarball);
        Properties built = new Properties();
        try (var in = Files.newInputStream(propertiesFile)) {
            built.load(in);
        }
        String reference = built.getProperty("launcher-image.reference");
        assertEquals(TestPaths.property("sandboxrun.image.reference"), reference);

        String out = dryRun();
        assertTrue(out.contains("+ kind load image-archive " + tarball + " --name sandboxrun-test\n"), out);
        assertTrue(out.contains(" -Dtest=RealClusterTest "), out);
        assertTrue(out.contains(" -Dsandboxrun-test.launcher-image=" + reference + "\n"), out);
        assertTrue(!out.contains("mvn -B -ntp -f " + ROOT.resolve("pom.xml") + " -pl native\\,launcher-image package"),
                "the tarball is there: nothing to build\n" + out);
    }

    @Test
    void theTestsReadThePropertyTheScriptSets() throws Exception {
        String test = Files.readString(ROOT.resolve(
                "operator/src/test/java/dev/sandboxrun/operator/RealClusterTest.java"));
        assertTrue(test.contains("System.getProperty(\"sandboxrun-test.launcher-image\""),
                "RealClusterTest no longer reads -Dsandboxrun-test.launcher-image");
    }

    private static String dryRun() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("scripts/real-cluster-test").toString(), "--dry-run")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the dry run did not end");
        assertEquals(0, p.exitValue(), "the dry run failed: " + out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
