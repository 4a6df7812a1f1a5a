package dev.sandboxrun.cli;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.cli.local.LocalRunner;
import dev.sandboxrun.cli.local.Manifests;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many runs at once from several Java threads: each gets its own stdout and status, exactly. */
class ConcurrentRunsTest {
    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    @Test
    void eightThreadsTenRunsEach() throws Exception {
        List<String> names = List.of("hello", "primes", "sort", "strict", "threads", "attack");
        LibSandboxRun lib = LibSandboxRun.get();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    LocalRunner runner = new LocalRunner(lib);
                    for (int i = 0; i < 10; i++) {
                        String name = names.get((thread + i) % names.size());
                        var dir = Cli.EXAMPLES.resolve(name);
                        Manifests m = Manifests.read(List.of(dir));
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        LocalRunner.Outcome o = runner.run(m, m.runs().get(0), out, -1);
                        // the verdict first: its message says why when the stdout is wrong too
                        assertEquals(Verdict.valueOf(Files.readString(dir.resolve("expected-verdict")).trim()),
                                o.run().getStatus().getVerdict(), name + ": " + o.run().getStatus().getMessage());
                        assertArrayEquals(Files.readAllBytes(dir.resolve("expected-stdout")), out.toByteArray(),
                                name + " on thread " + thread);
                    }
                    return "ok";
                }));
            }
            for (Future<String> f : futures) {
                assertEquals("ok", f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
