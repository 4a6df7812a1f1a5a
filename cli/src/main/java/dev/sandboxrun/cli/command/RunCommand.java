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
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", sortOptions = false,
        description = {"Run SandboxRuns on this machine: read SandboxRun, ConfigMap and Secret documents from files "
                + "and folders (as kubectl apply -f), resolve the program and stdin references, run each SandboxRun "
                + "through the launcher's library with the limits and options the operator would use, stream its "
                + "stdout, then print the resource with the status the operator would write.",
                "",
                "For local runs only, a ConfigMap or Secret key may come from a file beside the YAML: annotation "
                        + LocalRunner.LOCAL_FILES_ANNOTATION + ": \"KEY=PATH[,KEY=PATH]\" (see examples/)."})
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
        LibSandboxRun lib = Natives.library();
        LocalRunner runner = new LocalRunner(lib);
        int rc = ExitCodes.OK;
        TrackingStream out = new TrackingStream(main.out());
        for (Manifests.Document doc : runs) {
            LocalRunner.Outcome o = Natives.cancellable(fd -> runner.run(m, doc, noStdout ? null : out, fd));
            if (verbose && o.launcherCommand() != null) {
                main.err().println("sandboxrun: " + doc.name() + ": " + String.join(" ", o.launcherCommand()));
            }
            print(o, out);
            if (o.verdict() != Verdict.Completed) {
                main.err().println("sandboxrun: " + doc.name() + ": " + Printing.summary(o.run()));
            }
            if (rc == ExitCodes.OK && o.verdict() != Verdict.Completed) {
                rc = ExitCodes.of(o.verdict());
            }
        }
        return rc;
    }

    private void print(LocalRunner.Outcome o, TrackingStream out) {
        try {
            if (output != Output.none && out.count > 0 && out.last != '\n') {
                out.write('\n');   // the resource starts on a line of its own
            }
            String text = switch (output) {
                case yaml -> Printing.yaml(o.run());
                case json -> Printing.json(o.run()) + "\n";
                case name -> "sandboxrun.sandboxrun.dev/" + o.run().getMetadata().getName() + " "
                        + o.run().getStatus().getVerdict() + "\n";
                case none -> "";
            };
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.count = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Remembers the last byte written, to start the resource on a new line. */
    static final class TrackingStream extends OutputStream {
        private final OutputStream out;
        long count;
        int last = -1;

        TrackingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
            last = b & 0xff;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (len > 0) {
                count += len;
                last = b[off + len - 1] & 0xff;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
