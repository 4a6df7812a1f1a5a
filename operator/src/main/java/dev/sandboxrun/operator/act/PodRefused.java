package dev.sandboxrun.operator.act;

import dev.sandboxrun.operator.program.ImageVolumes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server refused a sandbox pod with an error other than a conflict. */
public final class PodRefused extends RuntimeException {
    private final int code;

    PodRefused(Pod pod, KubernetesClientException e) {
        this(pod, e, e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage());
    }

    private PodRefused(Pod pod, KubernetesClientException e, String why) {
        super("the API server refused pod " + pod.getMetadata().getName() + ": " + why + " (HTTP " + e.getCode()
                + ")" + ImageVolumes.hint(pod, why), e);
        this.code = e.getCode();
    }

    /** A refusal that a retry cannot change (invalid, forbidden, too large), as against 5xx and 429. */
    public boolean permanent() {
        return code >= 400 && code < 500 && code != 429 && code != 408;
    }
}
