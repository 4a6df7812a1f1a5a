package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.KeyRef;
import io.fabric8.kubernetes.api.model.Secret;

import java.util.Map;
import java.util.Optional;

/**
 * A Secret is a run's program or stdin only when it says so, or the administrator does. Without
 * this, anyone allowed to create a SandboxRun could read every Secret of the namespace: the
 * operator mounts it into the sandbox pod, and the program echoes it to stdout.
 */
public final class SecretOptIn {
    /**
     * The label that opens a Secret to SandboxRuns of its namespace, value {@value #VALUE}. (A
     * constant of the operator's for now; the CLI labels Secrets it creates the same way.)
     */
    public static final String LABEL = "sandboxrun.dev/allow-runs";
    public static final String VALUE = "true";

    private SecretOptIn() {
    }

    /**
     * Null-safe: a Secret that does not exist (yet) is not refused here; the run waits for it as for
     * any missing source, and is checked again once it exists.
     *
     * @param use what the spec reads it as, e.g. {@code spec.program.secret}
     */
    public static Optional<Denial> check(String namespace, String use, KeyRef ref, Secret secret, AccessPolicy policy) {
        if (ref == null || secret == null) {
            return Optional.empty();
        }
        if (optedIn(secret) || policy.secretListed(namespace, ref.getName())) {
            return Optional.empty();
        }
        return Optional.of(Denial.invalidSpec(use + ": Secret " + namespace + "/" + ref.getName()
                + " is not open to SandboxRuns; its owner can label it " + LABEL + "=" + VALUE
                + ", or an administrator can list it in the operator's access.secrets"));
    }

    public static boolean optedIn(Secret secret) {
        Map<String, String> labels = secret.getMetadata() == null ? null : secret.getMetadata().getLabels();
        return labels != null && VALUE.equals(labels.get(LABEL));
    }
}
