import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Per-run cost of a local run through JNA (libsandboxrun in this JVM), warm loop.
 * Usage: java -cp cli/target/sandboxrun.jar bench/jna/JnaBench.java PROGRAM WARMUP RUNS
 */
public class JnaBench {
    public static void main(String[] a) throws Exception {
        String program = a[0];
        int warm = Integer.parseInt(a[1]);
        int runs = Integer.parseInt(a[2]);
        LibSandboxRun lib = LibSandboxRun.get();
        EffectiveLimits limits = new EffectiveLimits(Profile.COMPUTE, 1000, 3000, 64L << 20, 1 << 20, 1000);
        LibSandboxRun.Request req = LibSandboxRun.Request.of(limits, program, List.of(program), null, -1);
        OutputStream sink = OutputStream.nullOutputStream();
        for (int i = 0; i < warm; i++) {
            check(lib.run(req, sink, 4100));
        }
        long[] t = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            check(lib.run(req, sink, 4100));
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        double mean = Arrays.stream(t).average().orElse(0) / 1e6;
        System.out.printf("jna   runs=%d mean=%.3f ms median=%.3f ms p90=%.3f ms%n", runs, mean, t[runs / 2] / 1e6,
                t[runs * 9 / 10] / 1e6);
    }

    private static void check(LibSandboxRun.Outcome o) {
        if (!o.result().verdict().equals("Completed")) {
            throw new IllegalStateException(o.json());
        }
    }
}
