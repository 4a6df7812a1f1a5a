package dev.sandboxrun.cli.cluster;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** kubectl's options for choosing a cluster and a namespace, as a kubectl plugin is expected to take them. */
public class ClusterOptions {
    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "the namespace (default: the kubeconfig's)")
    public String namespace;

    @Option(names = "--context", paramLabel = "NAME", description = "the kubeconfig context (default: its current context)")
    public String context;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    public Path kubeconfig;
}
