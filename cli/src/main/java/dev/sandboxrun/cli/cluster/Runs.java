package dev.sandboxrun.cli.cluster;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import io.fabric8.kubernetes.client.KubernetesClient;

/** SandboxRuns on the cluster. */
public final class Runs {
    private Runs() {
    }

    public static String namespace(KubernetesClient client, String ns) {
        if (ns != null && !ns.isEmpty()) {
            return ns;
        }
        String n = client.getNamespace();
        return n == null || n.isEmpty() ? "default" : n;
    }

    public static SandboxRun get(KubernetesClient client, String ns, String name) {
        SandboxRun run = client.resources(SandboxRun.class).inNamespace(ns).withName(name).get();
        if (run == null) {
            throw new CliException(ExitCodes.NOT_FOUND, "sandboxrun " + name + " not found in namespace " + ns);
        }
        return run;
    }
}
