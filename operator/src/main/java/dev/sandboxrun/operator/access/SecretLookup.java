package dev.sandboxrun.operator.access;

import io.fabric8.kubernetes.api.model.Secret;

/**
 * A Secret of the run's namespace by name, or null when there is none. The operator passes a GET
 * (its role may get Secrets by name, never list or watch them); tests pass a map.
 */
@FunctionalInterface
public interface SecretLookup {
    Secret get(String name);
}
