package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.Limits;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import picocli.CommandLine.Option;

/** The limit options of exec and submit; they fill a spec's {@code profile} and {@code limits}. */
public class LimitOptions {
    @Option(names = "--profile", paramLabel = "P", description = "strict | compute | threads (default: compute)")
    String profile;

    @Option(names = "--cpu", paramLabel = "DURATION", description = "CPU time, all threads: 500ms, 2s, 1m (default: 10s)")
    String cpu;

    @Option(names = "--wall", paramLabel = "DURATION", description = "wall clock (default: 2 x cpu + 1s)")
    String wall;

    @Option(names = "--memory", paramLabel = "QUANTITY", description = "memory the program uses: 64Mi, 1Gi (default: 256Mi)")
    String memory;

    @Option(names = "--stdout-max", paramLabel = "QUANTITY", description = "stdout kept, at most 8Mi (default: 1Mi)")
    String stdoutMax;

    public Profile profile() {
        if (profile == null) {
            return null;
        }
        for (Profile p : Profile.values()) {
            if (p.flag().equals(profile)) {
                return p;
            }
        }
        throw new CliException(ExitCodes.USAGE, "--profile: '" + profile + "' is not strict, compute or threads");
    }

    public Limits limits() {
        Limits l = new Limits();
        l.setCpu(cpu);
        l.setWallClock(wall);
        l.setMemory(memory);
        l.setStdout(stdoutMax);
        return l;
    }

    /** A spec field error in the words of these options. */
    public static String optionWords(String message) {
        return message.replace("spec.limits.", "limits.").replace("limits.cpu", "--cpu").replace("limits.wallClock", "--wall")
                .replace("limits.memory", "--memory").replace("limits.stdout", "--stdout-max")
                .replace("limits.cores", "--cores");
    }
}
