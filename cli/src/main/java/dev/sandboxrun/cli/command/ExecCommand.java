package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.SpecValidation;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.StdinProbe;
import dev.sandboxrun.cli.local.LocalRunner;
import dev.sandboxrun.cli.local.ProgramFiles;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import io.fabric8.kubernetes.api.model.ObjectMeta;
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

@Command(name = "exec", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a local static binary in the sandbox: its stdout to stdout, its stderr's tail, the verdict "
                + "and the usage to stderr. Options come before PROGRAM; what follows it is the program's.",
                "",
                "The program's stdin is this command's stdin when that is not a terminal (a pipe, a file): "
                        + "`echo 1 2 | sandboxrun exec ./sum`; else empty, or --stdin FILE."},
        footerHeading = "%nExit codes:%n", footer = ExitCodes.HELP)
public final class ExecCommand implements Callable<Integer> {
    public enum Output { none, yaml, json }

    @ParentCommand
    Main main;

    @Mixin
    LimitOptions limitOptions;

    @Option(names = "--stdin", paramLabel = "FILE",
            description = "the program's stdin: a file, a FIFO, or - for this command's stdin "
                    + "(default: this command's stdin when it is not a terminal, else empty)")
    String stdin;

    @Option(names = {"-o", "--output"}, defaultValue = "none", paramLabel = "FORMAT",
            description = "after the program's stdout, print the SandboxRun with its status (verdict, exitCode, "
                    + "usage, stdout's SHA-256) as ${COMPLETION-CANDIDATES} (default: none)")
    Output output;

    @Option(names = "--no-stdout", description = "do not pass the program's stdout on (counted and hashed; "
            + "the status keeps its first 4 KiB as preview): with -o json, a document alone")
    boolean noStdout;

    @Option(names = {"-v", "--verbose"}, description = "show the equivalent sandbox-launch command line")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "a statically linked x86-64 ELF executable")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "the program's arguments")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        ProgramFiles.checkProgram(Path.of(program), program);
        String in = stdinPath();
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProfile(limitOptions.profile());
        spec.setLimits(limitOptions.limits());
        spec.setArgs(args);
        EffectiveLimits limits;
        try {
            limits = EffectiveLimits.resolve(spec, EffectiveLimits.Defaults.CONTRACT);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, LimitOptions.optionWords(e.getMessage()));
        }
        List<String> problems = new ArrayList<>(SpecValidation.limitsProblems(spec.getLimits()));
        problems.addAll(LocalRunner.localCeilingProblems(limits));
        if (!problems.isEmpty()) {
            throw new CliException(ExitCodes.INVALID_SPEC, LimitOptions.optionWords(String.join("; ", problems)));
        }
        LibSandboxRun lib = Natives.library();
        LocalRunner runner = new LocalRunner(lib);
        SandboxRunStatus status = new SandboxRunStatus();
        status.setObservedGeneration(1L);
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(args);
        Printing.Tracking out = new Printing.Tracking(main.out());
        LocalRunner.Outcome o = Natives.cancellable(fd -> runner.execute(status, limits, program, argv, in,
                noStdout ? null : out, fd));
        if (o.readerGone()) {
            // | head: the reader's choice. The program is stopped; say nothing more (the status says it).
            documentQuietly(out, spec, status);
            return ExitCodes.BROKEN_PIPE;
        }
        if (verbose) {
            main.err().println("sandboxrun: " + String.join(" ", o.launcherCommand()));
        }
        String tail = status.getStderrTail();
        if (tail != null && !tail.isEmpty()) {
            main.err().print(tail.endsWith("\n") ? tail : tail + "\n");
        }
        String memory = o.nativeOutcome() == null ? null : o.nativeOutcome().memoryEnforcement();
        main.err().println("sandboxrun: " + Printing.summary(status) + (memory == null ? "" : " [memory: " + memory + "]"));
        if (!documentQuietly(out, spec, status)) {
            return ExitCodes.BROKEN_PIPE;
        }
        return ExitCodes.of(o.verdict());
    }

    /** With -o yaml|json, the SandboxRun this run was, with its status; false when stdout's reader is gone. */
    private boolean documentQuietly(Printing.Tracking out, SandboxRunSpec spec, SandboxRunStatus status) {
        if (output == Output.none) {
            return true;
        }
        SandboxRun run = new SandboxRun();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(Path.of(program).getFileName().toString());
        run.setMetadata(meta);
        run.setSpec(spec);
        run.setStatus(status);
        return Printing.documentQuietly(out, run, output.name());
    }

    /** The path the launcher opens as the program's stdin, or null for an empty one. */
    private String stdinPath() {
        if (stdin == null) {
            Main.StdinSupply piped = main.pipedStdin();
            return piped == null ? null : piped.path();
        }
        if (stdin.equals("-")) {
            Main.StdinSupply piped = main.pipedStdin();
            return piped == null ? StdinProbe.PATH : piped.path();
        }
        Path p = Path.of(stdin);
        if (!Files.exists(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, "--stdin " + stdin + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, "--stdin " + stdin + ": is a directory, not a file");
        }
        if (!Files.isReadable(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, "--stdin " + stdin + ": not readable by you");
        }
        return stdin;
    }
}
