package dev.sandboxrun.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place that turns a run into the launcher's command line, per
 * {@code docs/launcher-contract.md}:
 * {@code sandbox-launch --profile=P --cpu-ms=N --wall-ms=N --memory=B --stdout-max=B [--stdin=F]
 * [--program-part=F]... [--program-sha256=HEX] --result=F [--stdout-frames] -- PROGRAM [ARG]...}. Sizes are
 * passed in bytes; every option is explicit so a run never depends on the launcher's defaults.
 *
 * <p>A program in parts ({@code --program-part}, repeated in order, with {@code --program-sha256})
 * is assembled by the launcher into a sealed memory file, checked against the digest and run from
 * there; PROGRAM is then only the name the program sees as {@code argv[0]}. A digest without parts
 * makes the launcher check PROGRAM's own bytes the same way.
 */
public final class LauncherCommand {
    private LauncherCommand() {
    }

    /**
     * @param launcher   the launcher's path (argv[0])
     * @param limits     the run's limits, defaults applied
     * @param program    the program's path as the launcher sees it
     * @param args       the program's arguments (may be null)
     * @param stdinPath  the stdin file, or null for empty stdin
     * @param resultPath where the result document goes, or null for standard error
     */
    public static List<String> argv(String launcher, EffectiveLimits limits, String program, List<String> args,
                                    String stdinPath, String resultPath) {
        return argv(launcher, limits, Program.single(program), args, stdinPath, resultPath, false);
    }

    /**
     * The program's files as the launcher gets them: one file, or parts to concatenate, with the
     * SHA-256 the whole must have (required with parts, optional otherwise).
     *
     * @param argv0 the program's file, or with parts the name it sees as argv[0]
     */
    public record Program(String argv0, List<String> parts, String sha256) {
        public Program {
            Objects.requireNonNull(argv0, "program");
            parts = parts == null ? List.of() : List.copyOf(parts);
            if (!parts.isEmpty() && sha256 == null) {
                throw new IllegalArgumentException("a program in parts needs its SHA-256");
            }
            if (parts.size() > ProgramLayout.MAX_PARTS) {
                throw new IllegalArgumentException("more than " + ProgramLayout.MAX_PARTS + " program parts");
            }
        }

        public static Program single(String program) {
            return new Program(program, List.of(), null);
        }
    }

    /** The command line for a program given as {@link Program}, stdout raw. */
    public static List<String> argv(String launcher, EffectiveLimits limits, Program program, List<String> args,
                                    String stdinPath, String resultPath) {
        return argv(launcher, limits, program, args, stdinPath, resultPath, false);
    }

    /**
     * @param stdoutFrames stdout as frame lines ({@code --stdout-frames}, read back with
     *     {@link StdoutFrames}): what a pod's log needs to keep every byte
     */
    public static List<String> argv(String launcher, EffectiveLimits limits, Program program, List<String> args,
                                    String stdinPath, String resultPath, boolean stdoutFrames) {
        List<String> argv = new ArrayList<>();
        argv.add(Objects.requireNonNull(launcher, "launcher"));
        argv.addAll(options(limits, stdinPath, null));
        for (String part : program.parts()) {
            argv.add("--program-part=" + part);
        }
        if (program.sha256() != null) {
            argv.add("--program-sha256=" + program.sha256());
        }
        if (resultPath != null) {
            argv.add("--result=" + resultPath);
        }
        if (stdoutFrames) {
            argv.add("--stdout-frames");
        }
        argv.add("--");
        argv.add(program.argv0());
        if (args != null) {
            argv.addAll(args);
        }
        return argv;
    }

    /** The options alone, in a fixed order, without argv[0], "--" and the program. */
    public static List<String> options(EffectiveLimits limits, String stdinPath, String resultPath) {
        List<String> o = new ArrayList<>();
        o.add("--profile=" + limits.profile().flag());
        o.add("--cpu-ms=" + limits.cpuMs());
        o.add("--wall-ms=" + limits.wallMs());
        o.add("--memory=" + limits.memoryBytes());
        o.add("--stdout-max=" + limits.stdoutMaxBytes());
        if (stdinPath != null) {
            o.add("--stdin=" + stdinPath);
        }
        if (resultPath != null) {
            o.add("--result=" + resultPath);
        }
        return o;
    }
}
