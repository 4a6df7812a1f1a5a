package dev.sandboxrun.operator.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real launcher, and small static programs compiled from src/test/resources/programs. */
public final class TestPrograms {
    private TestPrograms() {
    }

    /** The launcher built by native/ (the reactor builds it first); a clear failure when absent. */
    public static Path launcher() {
        String configured = System.getProperty("sandboxrun-test.launcher", "../native/build/sandbox-launch");
        Path p = Paths.get(configured).toAbsolutePath().normalize();
        if (!Files.isExecutable(p)) {
            throw new AssertionError("the launcher is not built at " + p + ": build it with `make -C native` "
                    + "(the Maven reactor does this first: `mvn -pl api,operator -am verify`), "
                    + "or point -Dsandboxrun-test.launcher at one");
        }
        return p;
    }

    /** Compiles programs/NAME.c statically into target/test-programs/NAME (once) and returns its path. */
    public static synchronized Path program(String name) {
        Path out = Paths.get("target", "test-programs", name).toAbsolutePath();
        if (Files.isExecutable(out)) {
            return out;
        }
        Path src = Paths.get("src", "test", "resources", "programs", name + ".c").toAbsolutePath();
        try {
            Files.createDirectories(out.getParent());
            String cc = onPath("musl-gcc") ? "musl-gcc" : "gcc";
            Process p = new ProcessBuilder(List.of(cc, "-static", "-Os", "-s", "-o", out.toString(), src.toString()))
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("cannot compile " + src + " with " + cc + " -static:\n" + log);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot compile " + src + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return out;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
