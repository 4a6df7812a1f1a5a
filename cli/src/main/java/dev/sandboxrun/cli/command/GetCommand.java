package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.cluster.Runs;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.sandboxrun.cli.cluster.ClusterOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "get", mixinStandardHelpOptions = true, description = "Print a SandboxRun's status (the whole resource with -o yaml).")
public final class GetCommand implements Callable<Integer> {
    public enum Output { status, yaml, json }

    @ParentCommand
    Main main;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-o", "--output"}, defaultValue = "status", description = "${COMPLETION-CANDIDATES} (default: status)")
    Output output;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        try (KubernetesClient client = main.client(cluster)) {
            String ns = Runs.namespace(client, cluster.namespace);
            SandboxRun run = Runs.get(client, ns, name);
            String text = switch (output) {
                case status -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("status", run.getStatus());
                    yield Printing.yaml(m).replaceFirst("^---\n", "");
                }
                case yaml -> Printing.yaml(run);
                case json -> Printing.json(run) + "\n";
            };
            main.out().write(text.getBytes(StandardCharsets.UTF_8));
            main.out().flush();
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
