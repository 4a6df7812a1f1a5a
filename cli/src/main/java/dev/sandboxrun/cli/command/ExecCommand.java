package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.local.LocalRunner;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "exec", sortOptions = false,
        description = {"Run a local static binary in the sandbox: its stdout to stdout, its stderr's tail, the verdict "
                + "and the usage to stderr. Options come before PROGRAM; what follows it is the program's."})
public final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    LimitOptions limitOptions;

    @Option(names = "--stdin", paramLabel = "FILE", description = "the program's stdin (default: empty)")
    Path stdin;

    @Option(names = {"-v", "--verbose"}, description = "show the equivalent sandbox-launch command line")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "a statically linked x86-64 ELF executable")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "the program's arguments")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (!Files.isRegularFile(Path.of(program))) {
            throw new CliException(ExitCodes.BAD_INPUT, program + ": no such file");
        }
        if (stdin != null && !Files.isRegularFile(stdin)) {
            throw new CliException(ExitCodes.BAD_INPUT, "--stdin " + stdin + ": no such file");
        }
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProfile(limitOptions.profile());
        spec.setLimits(limitOptions.limits());
        spec.setArgs(args);
        LibSandboxRun lib = Natives.library();
        LocalRunner runner = new LocalRunner(lib);
        EffectiveLimits limits;
        try {
            limits = runner.limits(spec);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, LimitOptions.optionWords(e.getMessage()));
        }
        SandboxRun run = new SandboxRun();
        run.setMetadata(new ObjectMetaBuilder().withName(Path.of(program).getFileName().toString()).build());
        run.setSpec(spec);
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(args);
        String in = stdin == null ? null : stdin.toString();
        LocalRunner.Outcome o = Natives.cancellable(fd -> runner.execute(run, limits, program, argv, in, main.out(), fd));
        if (verbose) {
            main.err().println("sandboxrun: " + String.join(" ", o.launcherCommand()));
        }
        String tail = run.getStatus().getStderrTail();
        if (tail != null && !tail.isEmpty()) {
            main.err().print(tail.endsWith("\n") ? tail : tail + "\n");
        }
        String memory = o.nativeOutcome() == null ? null : o.nativeOutcome().memoryEnforcement();
        main.err().println("sandboxrun: " + Printing.summary(run) + (memory == null ? "" : " [memory: " + memory + "]"));
        return ExitCodes.of(o.verdict());
    }
}
