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
    public static Path program(String name) {
        return compile(resource(name), name, onPath("musl-gcc") ? "musl-gcc" : "gcc", List.of("-static", "-pthread", "-Os", "-s"));
    }

    /**
     * A freestanding program (no libc at all) for the strict profile, from the launcher's own test
     * programs (native/tests/legit/NAME.c), compiled with -nostdlib as native/tests/tests.mk does.
     */
    public static Path freestanding(String name) {
        Path src = Paths.get("..", "native", "tests", "legit", name + ".c").toAbsolutePath().normalize();
        return compile(src, name, "gcc", List.of("-O2", "-nostdlib", "-static", "-fno-stack-protector",
                "-ffreestanding", "-fno-builtin", "-fno-tree-loop-distribute-patterns", "-fno-pie", "-no-pie",
                "-fcf-protection=none", "-fno-asynchronous-unwind-tables", "-s"));
    }

    /** programs/NAME.cpp built as the C++ programs are: g++ -static -O2 (about 2.2 MB). */
    public static Path cpp(String name) {
        return compile(Paths.get("src", "test", "resources", "programs", name + ".cpp").toAbsolutePath(), name, "g++",
                List.of("-static", "-O2"));
    }

    /** programs/NAME.c linked dynamically (which the launcher refuses to run). */
    public static Path dynamic(String name) {
        return compile(resource(name), name + "-dynamic", "gcc", List.of("-O2"));
    }

    private static Path resource(String name) {
        return Paths.get("src", "test", "resources", "programs", name + ".c").toAbsolutePath();
    }

    private static synchronized Path compile(Path src, String outName, String cc, List<String> flags) {
        Path out = Paths.get("target", "test-programs", outName).toAbsolutePath();
        try {
            if (Files.isExecutable(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) >= 0) {
                return out; // compiled from this source already
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + src + ": " + e, e);
        }
        try {
            Files.createDirectories(out.getParent());
            List<String> cmd = new java.util.ArrayList<>();
            cmd.add(cc);
            cmd.addAll(flags);
            cmd.addAll(List.of("-o", out.toString(), src.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("cannot compile " + src + " with " + cmd + ":\n" + log);
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
