package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherCommandTest {
    private static SandboxRunSpec spec() {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramSource.configMap("primes-bin", "primes"));
        spec.setArgs(List.of("1000", "--not-an-option"));
        spec.setProfile(Profile.THREADS);
        Limits l = new Limits();
        l.setCpu("2s");
        l.setWallClock("500ms");
        l.setMemory("64Mi");
        l.setStdout("1Mi");
        l.setCores("500m");
        spec.setLimits(l);
        return spec;
    }

    @Test
    void everyOptionExplicitThenTheProgramAfterDoubleDash() {
        EffectiveLimits lim = EffectiveLimits.resolve(spec(), EffectiveLimits.Defaults.CONTRACT);
        assertEquals(List.of("/sandbox-launch", "--profile=threads", "--cpu-ms=2000", "--wall-ms=500",
                        "--memory=67108864", "--stdout-max=1048576", "--stdin=/in/stdin",
                        "--result=/dev/termination-log", "--", "/program/primes", "1000", "--not-an-option"),
                LauncherCommand.argv("/sandbox-launch", lim, "/program/primes", spec().getArgs(), "/in/stdin",
                        "/dev/termination-log"));
        assertEquals(500, lim.coresMillis());
    }

    @Test
    void defaultsFollowTheContract() {
        SandboxRunSpec s = new SandboxRunSpec();
        s.setProgram(ProgramSource.configMap("p", "k"));
        EffectiveLimits lim = EffectiveLimits.resolve(s, EffectiveLimits.Defaults.CONTRACT);
        assertEquals(new EffectiveLimits(Profile.COMPUTE, 10_000, 21_000, 256L << 20, 1L << 20, 1000), lim);
        assertEquals(List.of("x", "--profile=compute", "--cpu-ms=10000", "--wall-ms=21000", "--memory=268435456",
                "--stdout-max=1048576", "--", "p"), LauncherCommand.argv("x", lim, "p", null, null, null));
    }

    @Test
    void wallDefaultsToTwiceCpuPlusOneSecond() {
        SandboxRunSpec s = spec();
        s.getLimits().setWallClock(null);
        assertEquals(5000, EffectiveLimits.resolve(s, EffectiveLimits.Defaults.CONTRACT).wallMs());
    }

    @Test
    void badValuesNameTheirField() {
        SandboxRunSpec s = spec();
        s.getLimits().setMemory("lots");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EffectiveLimits.resolve(s, EffectiveLimits.Defaults.CONTRACT));
        assertTrue(e.getMessage().startsWith("limits.memory"), e.getMessage());
    }

    @Test
    void ceilings() {
        EffectiveLimits lim = EffectiveLimits.resolve(spec(), EffectiveLimits.Defaults.CONTRACT);
        assertEquals(List.of(), lim.exceeding(EffectiveLimits.Ceilings.NONE));
        List<String> over = lim.exceeding(new EffectiveLimits.Ceilings(1000, 60_000, 32L << 20, 8L << 20, 4000));
        assertEquals(List.of("limits.cpu 2000ms exceeds the ceiling 1000ms",
                "limits.memory 67108864 bytes exceeds the ceiling 33554432 bytes"), over);
    }
}
