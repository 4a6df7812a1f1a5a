package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.cluster.Runs;
import dev.sandboxrun.cli.cluster.StdoutChunks;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.sandboxrun.cli.cluster.ClusterOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true, description = {"Print a finished SandboxRun's stdout, reassembled from its ConfigMaps "
        + "(<run>-stdout-<i>) and checked against the SHA-256 in its status; nothing is printed unless it matches."})
public final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        try (KubernetesClient client = main.client(cluster)) {
            String ns = Runs.namespace(client, cluster.namespace);
            SandboxRun run = Runs.get(client, ns, name);
            if (run.getStatus() == null || !run.getStatus().isFinished()) {
                throw new CliException(ExitCodes.NOT_FINISHED, "sandboxrun " + name + " is "
                        + (run.getStatus() == null || run.getStatus().getPhase() == null ? "Pending"
                        : run.getStatus().getPhase()) + ": its stdout is collected when it ends");
            }
            write(main, StdoutChunks.read(client, run));
            return 0;
        }
    }

    static void write(Main main, byte[] bytes) {
        try {
            main.out().write(bytes);
            main.out().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
