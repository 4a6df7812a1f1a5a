package dev.sandboxrun.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place that turns a run into the launcher's command line, per
 * {@code docs/launcher-contract.md}:
 * {@code sandbox-launch --profile=P --cpu-ms=N --wall-ms=N --memory=B --stdout-max=B [--stdin=F]
 * --result=F [--stdout-frames] -- PROGRAM [ARG]...}. Sizes are passed in bytes; every option is explicit so a run
 * never depends on the launcher's defaults.
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
        return argv(launcher, limits, program, args, stdinPath, resultPath, false);
    }

    /**
     * @param stdoutFrames stdout as frame lines ({@code --stdout-frames}, read back with
     *     {@link StdoutFrames}): what a pod's log needs to keep every byte
     */
    public static List<String> argv(String launcher, EffectiveLimits limits, String program, List<String> args,
                                    String stdinPath, String resultPath, boolean stdoutFrames) {
        List<String> argv = new ArrayList<>();
        argv.add(Objects.requireNonNull(launcher, "launcher"));
        argv.addAll(options(limits, stdinPath, resultPath));
        if (stdoutFrames) {
            argv.add("--stdout-frames");
        }
        argv.add("--");
        argv.add(Objects.requireNonNull(program, "program"));
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
