package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.local.LocalRunner;
import dev.sandboxrun.cli.local.Manifests;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run SandboxRuns on this machine: read SandboxRun, ConfigMap and Secret documents from files "
                + "and folders (as kubectl apply -f), check them with the CRD's rules, resolve the program and stdin "
                + "references, run each SandboxRun through the launcher's library with the limits and options the "
                + "operator would use, stream its stdout, then print the resource with the status the operator would "
                + "write.",
                "",
                "For local runs only, a ConfigMap or Secret key may come from a file beside the YAML: annotation "
                        + LocalRunner.LOCAL_FILES_ANNOTATION + ": \"KEY=PATH[,KEY=PATH]\" (see examples/). PATH is "
                        + "relative to the YAML's folder and must stay inside it unless --allow-files-outside."},
        footerHeading = "%nExit codes:%n", footer = ExitCodes.HELP)
public final class RunCommand implements Callable<Integer> {
    public enum Output { yaml, json, name, none }

    @ParentCommand
    Main main;

    @Option(names = {"-f", "--filename"}, required = true, arity = "1..*", paramLabel = "PATH",
            description = "files or folders of YAML (or JSON) documents")
    List<Path> paths;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT",
            description = "how each finished resource is printed after its stdout: ${COMPLETION-CANDIDATES} (default: yaml)")
    Output output;

    @Option(names = "--no-stdout", description = "do not pass the programs' stdout on (the status keeps its preview)")
    boolean noStdout;

    @Option(names = "--allow-files-outside", description = "let the " + LocalRunner.LOCAL_FILES_ANNOTATION
            + " annotation name files outside the YAML's own folder (../x, /abs/path); they are read with your rights")
    boolean allowFilesOutside;

    @Option(names = {"-v", "--verbose"}, description = "show the equivalent sandbox-launch command line of each run")
    boolean verbose;

    @Override
    public Integer call() {
        Manifests m = Manifests.read(paths);
        for (String s : m.skipped()) {
            main.err().println("sandboxrun: skipping " + s + " (run runs SandboxRuns; ConfigMaps and Secrets feed them)");
        }
        List<Manifests.Document> runs = m.runs();
        if (runs.isEmpty()) {
            throw new CliException(ExitCodes.BAD_INPUT, "no SandboxRun in " + paths);
        }
        String duplicate = m.duplicate();
        if (duplicate != null) {
            throw new CliException(ExitCodes.INVALID_SPEC, duplicate);
        }
        LibSandboxRun lib = Natives.library();
        LocalRunner runner = new LocalRunner(lib).allowFilesOutside(allowFilesOutside);
        int rc = ExitCodes.OK;
        Printing.Tracking out = new Printing.Tracking(main.out());
        for (Manifests.Document doc : runs) {
            LocalRunner.Outcome o = Natives.cancellable(fd -> runner.run(m, doc, noStdout ? null : out, fd));
            if (o.readerGone() || !print(o, out)) {
                return ExitCodes.BROKEN_PIPE;   // | head: the reader's choice; nothing more to say
            }
            if (verbose && o.launcherCommand() != null) {
                main.err().println("sandboxrun: " + doc.name() + ": " + String.join(" ", o.launcherCommand()));
            }
            if (o.verdict() != Verdict.Completed) {
                main.err().println("sandboxrun: " + doc.name() + ": " + Printing.summary(o.run()));
            }
            if (rc == ExitCodes.OK && o.verdict() != Verdict.Completed) {
                rc = ExitCodes.of(o.verdict());
            }
        }
        return rc;
    }

    /** The finished resource after its stdout; false when stdout's reader has gone away. */
    private boolean print(LocalRunner.Outcome o, Printing.Tracking out) {
        if (output == Output.none) {
            return true;
        }
        if (output == Output.name) {
            try {
                out.newLineIfNeeded();
                out.write(("sandboxrun.sandboxrun.dev/" + o.run().getMetadata().getName() + " "
                        + o.run().getStatus().getVerdict() + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return Printing.documentQuietly(out, o.run(), output.name());
    }
}
