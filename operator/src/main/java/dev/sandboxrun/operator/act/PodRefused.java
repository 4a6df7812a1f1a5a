package dev.sandboxrun.operator.act;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server refused a sandbox pod with an error other than a conflict. */
public final class PodRefused extends RuntimeException {
    private final int code;

    PodRefused(String pod, KubernetesClientException e) {
        super("the API server refused pod " + pod + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : e.getMessage()) + " (HTTP " + e.getCode() + ")", e);
        this.code = e.getCode();
    }

    /** A refusal that a retry cannot change (invalid, forbidden, too large), as against 5xx and 429. */
    public boolean permanent() {
        return code >= 400 && code < 500 && code != 429 && code != 408;
    }
}
