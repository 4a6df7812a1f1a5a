package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SourceKeys;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether the ConfigMaps and Secrets a run names hold their keys: GETs of objects of up to 1 MiB
 * (the operator does not cache every ConfigMap and Secret of the cluster), so asked only of a run
 * that may start now, never of a queued one.
 */
final class SourceCheck {
    private SourceCheck() {
    }

    /** The first ConfigMap or Secret key that the spec needs and the cluster lacks, or null. */
    static String missing(KubernetesClient client, SandboxRun run) {
        String ns = run.getMetadata().getNamespace();
        SandboxRunSpec spec = run.getSpec();
        String m = missing(client, ns, spec.getProgram().getConfigMap(), spec.getProgram().getSecret());
        if (m == null && spec.getStdin() != null) {
            m = missing(client, ns, spec.getStdin().getConfigMap(), spec.getStdin().getSecret());
        }
        return m;
    }

    private static String missing(KubernetesClient client, String ns, KeyRef configMap, KeyRef secret) {
        if (configMap != null && !SourceKeys.has(client.configMaps().inNamespace(ns).withName(configMap.getName())
                .get(), configMap.getKey())) {
            return "ConfigMap " + configMap.getName() + " key " + configMap.getKey();
        }
        if (secret != null && !SourceKeys.has(client.secrets().inNamespace(ns).withName(secret.getName()).get(),
                secret.getKey())) {
            return "Secret " + secret.getName() + " key " + secret.getKey();
        }
        return null;
    }
}
