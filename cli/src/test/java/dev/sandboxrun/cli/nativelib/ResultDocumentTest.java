package dev.sandboxrun.cli.nativelib;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherResult;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.cli.Cli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The CLI's streaming reader of the result document agrees with the api's LauncherResult.parse. */
class ResultDocumentTest {
    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    private static String run(Profile profile, String example, String... args) throws Exception {
        EffectiveLimits limits = new EffectiveLimits(profile, 2000, 5000, 64L << 20, 1 << 20, 1000);
        List<String> argv = new ArrayList<>();
        String program = Cli.EXAMPLES.resolve(example).toString();
        argv.add(program);
        argv.addAll(List.of(args));
        return LibSandboxRun.get().run(LibSandboxRun.Request.of(limits, program, argv, null, -1), null, 16).json();
    }

    @Test
    void realDocumentsReadTheSame() throws Exception {
        List<String> docs = List.of(
                run(Profile.COMPUTE, "hello/hello"),
                run(Profile.COMPUTE, "primes/primes", "1"),            // NonZeroExit with a stderr tail
                run(Profile.COMPUTE, "attack/attack"),                 // SyscallViolation
                run(Profile.STRICT, "hello/hello"),                    // killed under strict
                run(Profile.COMPUTE, "memory/memory"),                 // MemoryLimitExceeded
                run(Profile.THREADS, "threads/threads"),
                "{\"verdict\":\"Signaled\",\"exitCode\":null,\"signal\":\"SIGSEGV\",\"syscall\":null,\"cpuMs\":1,"
                        + "\"wallMs\":2,\"maxRssBytes\":3,\"stdoutBytes\":4,\"stdoutSha256\":\"" + "a".repeat(64)
                        + "\",\"stderrTail\":\"\\u0001\\n\\\"\\u00e9\",\"message\":\"m\",\"later\":{\"x\":[1,2]}}");
        for (String d : docs) {
            assertEquals(LauncherResult.parse(d), ResultDocument.read(d), d);
        }
    }

    @Test
    void invalidDocumentsAreRefusedByBoth() {
        String sha = "\"stdoutSha256\":\"" + "b".repeat(64) + "\"";
        for (String d : List.of("", "[]", "{}", "{\"verdict\":\"Nope\"," + sha + "}",
                "{\"verdict\":\"Completed\",\"cpuMs\":-1," + sha + "}",
                "{\"verdict\":\"Completed\",\"cpuMs\":null," + sha + "}",
                "{\"verdict\":\"Completed\",\"stdoutSha256\":\"XYZ\"}",
                "{\"verdict\":\"Completed\"," + sha, "x".repeat(5000))) {
            assertThrows(LauncherResult.InvalidResultException.class, () -> LauncherResult.parse(d), d);
            assertThrows(LauncherResult.InvalidResultException.class, () -> ResultDocument.read(d), d);
        }
    }
}
