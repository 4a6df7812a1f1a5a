package dev.sandboxrun.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's limits with every default applied, in the launcher's units. Built from a spec and the
 * defaults of whoever runs it (the operator's configuration, the CLI's).
 */
public record EffectiveLimits(
        Profile profile,
        long cpuMs,
        long wallMs,
        long memoryBytes,
        long stdoutMaxBytes,
        long coresMillis) {

    /** The most stdout a run may keep (the API page: "at most 8Mi"). */
    public static final long STDOUT_HARD_MAX = 8L * 1024 * 1024;

    /** Defaults for what a spec leaves out. A null wallMs means the contract's 2 × cpu + 1000. */
    public record Defaults(Profile profile, long cpuMs, Long wallMs, long memoryBytes,
                           long stdoutMaxBytes, long coresMillis) {
        /** The launcher contract's own defaults, and one core. */
        public static final Defaults CONTRACT = new Defaults(Profile.COMPUTE, 10_000, null,
                256L * 1024 * 1024, 1024L * 1024, 1000);
    }

    /** The largest a spec may ask for. */
    public record Ceilings(long cpuMs, long wallMs, long memoryBytes, long stdoutMaxBytes, long coresMillis) {
        public static final Ceilings NONE = new Ceilings(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                STDOUT_HARD_MAX, Long.MAX_VALUE);
    }

    /**
     * The spec's limits over the defaults.
     *
     * @throws IllegalArgumentException naming the field when a value cannot be read
     */
    public static EffectiveLimits resolve(SandboxRunSpec spec, Defaults d) {
        Limits l = spec.getLimits() == null ? new Limits() : spec.getLimits();
        Profile profile = spec.getProfile() != null ? spec.getProfile() : d.profile();
        long cpu = l.getCpu() != null ? field("limits.cpu", () -> Sizes.millis(l.getCpu())) : d.cpuMs();
        long wall = l.getWallClock() != null ? field("limits.wallClock", () -> Sizes.millis(l.getWallClock()))
                : d.wallMs() != null ? d.wallMs() : 2 * cpu + 1000;
        long memory = l.getMemory() != null ? field("limits.memory", () -> Sizes.bytes(l.getMemory())) : d.memoryBytes();
        long stdout = l.getStdout() != null ? field("limits.stdout", () -> Sizes.bytes(l.getStdout())) : d.stdoutMaxBytes();
        long cores = l.getCores() != null ? field("limits.cores", () -> Sizes.millicores(l.getCores())) : d.coresMillis();
        return new EffectiveLimits(profile, cpu, wall, memory, stdout, cores);
    }

    /**
     * The spec's limits over the defaults, within the ceilings: what the operator runs and what a
     * local run runs, decided the same way.
     *
     * @throws IllegalArgumentException naming the field when a value cannot be read, or every
     *     ceiling broken ("; " between them)
     */
    public static EffectiveLimits resolveWithin(SandboxRunSpec spec, Defaults d, Ceilings c) {
        EffectiveLimits l = resolve(spec, d);
        List<String> over = l.exceeding(c);
        if (!over.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", over));
        }
        return l;
    }

    /** What breaks a ceiling, one phrase each; empty when nothing does. */
    public List<String> exceeding(Ceilings c) {
        List<String> out = new ArrayList<>();
        check(out, "limits.cpu", cpuMs, c.cpuMs(), "ms");
        check(out, "limits.wallClock", wallMs, c.wallMs(), "ms");
        check(out, "limits.memory", memoryBytes, c.memoryBytes(), " bytes");
        check(out, "limits.stdout", stdoutMaxBytes, Math.min(c.stdoutMaxBytes(), STDOUT_HARD_MAX), " bytes");
        check(out, "limits.cores", coresMillis, c.coresMillis(), " millicores");
        return out;
    }

    private static void check(List<String> out, String field, long value, long max, String unit) {
        if (value > max) {
            out.add(field + " " + value + unit + " exceeds the ceiling " + max + unit);
        }
    }

    private interface LongSupplier {
        long get();
    }

    private static long field(String name, LongSupplier s) {
        try {
            return s.get();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
