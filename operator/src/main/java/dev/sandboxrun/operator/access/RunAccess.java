package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.operator.config.OperatorConfig;

import java.util.Optional;

/**
 * The operator acts for whoever created the run, never beyond what that person could reach
 * through the run's own spec: Secrets only with their opt-in ({@link SecretOptIn}), placement only
 * within the administrator's lists ({@link PlacementAccess}). Check before every pod is created;
 * a denial ends the run with its verdict and message.
 */
public final class RunAccess {
    private final AccessPolicy policy;

    public RunAccess(AccessPolicy policy) {
        this.policy = policy;
    }

    /** Throws IllegalArgumentException, naming the entry, for a malformed access setting. */
    public static RunAccess from(OperatorConfig config) {
        return new RunAccess(AccessPolicy.from(config));
    }

    public AccessPolicy policy() {
        return policy;
    }

    /**
     * The first thing this run may not use, or empty. Secrets that do not exist are not denied (the
     * run waits for them); call again once they do, before the pod is created.
     */
    public Optional<Denial> check(SandboxRun run, SecretLookup secrets) {
        SandboxRunSpec spec = run.getSpec();
        Optional<Denial> placement = PlacementAccess.check(spec.getPlacement(), policy);
        if (placement.isPresent()) {
            return placement;
        }
        String ns = run.getMetadata().getNamespace();
        Optional<Denial> program = spec.getProgram() == null ? Optional.empty()
                : secret(ns, "spec.program.secret", spec.getProgram().getSecret(), secrets);
        if (program.isPresent() || spec.getStdin() == null) {
            return program;
        }
        return secret(ns, "spec.stdin.secret", spec.getStdin().getSecret(), secrets);
    }

    /** Placement alone: needs nothing from the cluster, so it can be checked before any read. */
    public Optional<Denial> checkPlacement(SandboxRun run) {
        return PlacementAccess.check(run.getSpec().getPlacement(), policy);
    }

    private Optional<Denial> secret(String ns, String use, KeyRef ref, SecretLookup secrets) {
        if (ref == null) {
            return Optional.empty();
        }
        return SecretOptIn.check(ns, use, ref, secrets.get(ref.getName()), policy);
    }
}
