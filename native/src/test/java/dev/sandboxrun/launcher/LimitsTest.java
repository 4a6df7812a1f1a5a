package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every limit at (or just under) and just past its boundary, in both situations. The machine
 * may be busy (2 cores, other work beside): CPU time is asserted closely, wall-clock time
 * only with generous margins.
 */
class LimitsTest extends LauncherTestBase {

    // ---------------------------------------------------------------- CPU time

    @ParameterizedTest
    @EnumSource(Situation.class)
    void cpuUnderTheLimitCompletes(Situation s) {
        Run r = Launcher.in(s).opt("--cpu-ms=500", "--wall-ms=20000")
                .program(Launcher.legit("spin"), "350").run().completedWith("spun\n");
        long cpu = r.num("cpuMs");
        assertTrue(cpu >= 340 && cpu < 500, "cpuMs should be about the 350 ms spun: " + cpu + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void cpuJustPastTheLimit(Situation s) {
        Run r = Launcher.in(s).opt("--cpu-ms=500", "--wall-ms=20000")
                .program(Launcher.legit("spin"), "700").run().verdict("CpuTimeLimitExceeded").stdout("");
        long cpu = r.num("cpuMs");
        assertTrue(cpu >= 500 && cpu <= 700, "cpuMs should be at least the limit and end it promptly: "
                + cpu + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void cpuForeverIsStoppedPromptly(Situation s) {
        // RLIMIT_CPU alone counts whole seconds: 300 ms must not become 1 s
        Run r = Launcher.in(s).opt("--cpu-ms=300", "--wall-ms=20000")
                .program(Launcher.legit("spin"), "forever").run().verdict("CpuTimeLimitExceeded");
        long cpu = r.num("cpuMs");
        assertTrue(cpu >= 300 && cpu <= 600, "cpuMs " + cpu + " should be in [300, 600]" + r.describe());
        assertTrue(r.num("wallMs") < 10_000, "ended by the CPU limit, long before the wall limit" + r.describe());
    }

    // ---------------------------------------------------------------- wall clock

    @ParameterizedTest
    @EnumSource(Situation.class)
    void wallUnderTheLimitCompletes(Situation s) {
        // a static program's start on a busy machine can take a good part of a second
        Run r = Launcher.in(s).opt("--wall-ms=3000").program(Launcher.legit("sleep"), "300").run()
                .completedWith("slept\n");
        assertTrue(r.num("wallMs") >= 300 && r.num("wallMs") < 3000, "wallMs" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void wallJustPastTheLimit(Situation s) {
        Run r = Launcher.in(s).opt("--wall-ms=500").program(Launcher.legit("sleep"), "5000").run()
                .verdict("WallTimeLimitExceeded").stdout("");
        long wall = r.num("wallMs");
        assertTrue(wall >= 500 && wall < 2500, "wallMs " + wall + " should be in [500, 2500)" + r.describe());
        assertTrue(r.num("cpuMs") < 200, "a sleeper uses no CPU" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void defaultWallIsTwiceCpuPlusOneSecond(Situation s) {
        // --cpu-ms=1000: the wall limit is 2 x 1000 + 1000 = 3000 ms
        Launcher.in(s).opt("--cpu-ms=1000").program(Launcher.legit("sleep"), "1500").run()
                .completedWith("slept\n");
        Run r = Launcher.in(s).opt("--cpu-ms=1000").program(Launcher.legit("sleep"), "8000").run()
                .verdict("WallTimeLimitExceeded");
        long wall = r.num("wallMs");
        assertTrue(wall >= 3000 && wall < 5000, "wallMs " + wall + " should be in [3000, 5000)" + r.describe());
    }

    // ---------------------------------------------------------------- memory

    @ParameterizedTest
    @EnumSource(Situation.class)
    void threeQuartersOfTheMemoryLimitCompletes(Situation s) {
        Launcher.in(s).opt("--memory=64M").program(Launcher.legit("memory"), "48").run()
                .completedWith("OK\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void reservingMoreThanTheLimitIsAllowed(Situation s) {
        // the contract limits pages used, not address space: reserve 1 GiB, touch 48 MiB of 64
        Launcher.in(s).opt("--memory=64M").program(Launcher.legit("memory"), "48", "1024").run()
                .completedWith("OK\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void anUntouchedReservationLeavesTheVerdictToTheProgram(Situation s) {
        // reserve 8x the limit writable (and 16x with MAP_NORESERVE), touch 1 MiB: the exit
        // code decides, a reservation alone is never MemoryLimitExceeded
        String[][] cases = {{"512", ""}, {"1024", "noreserve"}};
        for (String[] c : cases) {
            Run r = Launcher.in(s).opt("--memory=64M").program(Launcher.legit("reserve"), c[0], "3", c[1]).run()
                    .verdict("NonZeroExit").stdout("reserved " + c[0] + " MiB, touched 1 MiB\n");
            assertEquals(3, r.num("exitCode"), r.describe());
            Launcher.in(s).opt("--memory=64M").program(Launcher.legit("reserve"), c[0], "0", c[1]).run()
                    .completedWith("reserved " + c[0] + " MiB, touched 1 MiB\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void wellPastTheMemoryLimit(Situation s) {
        Run r = Launcher.in(s).opt("--memory=64M").program(Launcher.legit("memory"), "160").run()
                .verdict("MemoryLimitExceeded");
        assertTrue(r.num("maxRssBytes") <= 80L << 20, "peak memory far above the limit" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void mallocFailingAndExitingOneIsStillMemoryLimitExceeded(Situation s) {
        Launcher.in(s).opt("--memory=64M").program(Launcher.legit("malloc-fail")).run()
                .verdict("MemoryLimitExceeded");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void memorySizeSuffixes(Situation s) {
        // 40 MiB touched fits 64M, 65536K and 67108864 alike, and 1G
        for (String size : new String[] {"64M", "65536K", "67108864", "1G"}) {
            Launcher.in(s).opt("--memory=" + size).program(Launcher.legit("memory"), "40").run()
                    .completedWith("OK\n");
        }
        Launcher.in(s).opt("--memory=32768K").program(Launcher.legit("memory"), "120").run()
                .verdict("MemoryLimitExceeded");
    }

    // ---------------------------------------------------------------- stdout

    static byte[] outputBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 64 == 63 ? '\n' : 'A' + i % 26);
        }
        return b;
    }

    private static void exactlyMax(Situation s, String option, int max) {
        Run r = Launcher.in(s).opt(option).program(Launcher.legit("output"), String.valueOf(max)).run()
                .verdict("Completed");
        assertArrayEquals(outputBytes(max), r.stdout, "all " + max + " bytes pass" + r.describe());
    }

    private static void oneMore(Situation s, String option, int max) {
        Run r = Launcher.in(s).opt(option).program(Launcher.legit("output"), String.valueOf(max + 1)).run()
                .verdict("OutputLimitExceeded");
        assertEquals(max, r.num("stdoutBytes"), "stdoutBytes == max" + r.describe());
        assertEquals(max, r.stdout.length, "exactly max bytes on stdout" + r.describe());
        assertArrayEquals(outputBytes(max), r.stdout, "the first max bytes" + r.describe());
        assertEquals(Launcher.sha256(Arrays.copyOf(outputBytes(max + 1), max)), r.text("stdoutSha256"),
                r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stdoutExactlyAtTheMaxCompletes(Situation s) {
        exactlyMax(s, "--stdout-max=1000", 1000);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stdoutOneByteMoreEndsTheRun(Situation s) {
        oneMore(s, "--stdout-max=1000", 1000);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stdoutDefaultMaxIsOneMebibyte(Situation s) {
        Run r = Launcher.in(s).program(Launcher.legit("output"), String.valueOf(1 << 20)).run()
                .verdict("Completed");
        assertEquals(1 << 20, r.stdout.length, r.describe());
        oneMore(s, "--cpu-ms=10000", 1 << 20);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void stdoutMaxWithSuffixAndZero(Situation s) {
        exactlyMax(s, "--stdout-max=64K", 65536);
        oneMore(s, "--stdout-max=64K", 65536);
        exactlyMax(s, "--stdout-max=0", 0);
        oneMore(s, "--stdout-max=0", 0);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void largeStdoutIsRelayedExactly(Situation s) {
        int n = 8 << 20;
        Run r = Launcher.in(s).opt("--stdout-max=8M").program(Launcher.legit("output"), String.valueOf(n)).run()
                .verdict("Completed");
        assertArrayEquals(outputBytes(n), r.stdout, r.describe());
    }
}
