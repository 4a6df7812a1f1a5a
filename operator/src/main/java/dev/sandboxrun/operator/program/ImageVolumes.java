package dev.sandboxrun.operator.program;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * A cluster without the ImageVolume feature (Kubernetes before 1.31, or the gate off) drops a pod
 * volume's {@code image} field (pkg/api/pod/util.go dropDisabledFields) and then refuses the pod for
 * a volume with no type. The refusal alone does not say why; this says it in the run's words.
 */
public final class ImageVolumes {
    static final String NO_TYPE = "must specify a volume type";

    private ImageVolumes() {
    }

    /** What to add to the API server's refusal of this pod; empty when it is not that refusal. */
    public static String hint(Pod pod, String refusal) {
        boolean image = pod.getSpec().getVolumes().stream().anyMatch(v -> v.getImage() != null);
        if (!image || refusal == null || !refusal.contains(NO_TYPE)) {
            return "";
        }
        return "; this cluster dropped the pod's image volume: spec.program.image needs the ImageVolume feature"
                + " (Kubernetes 1.31 or later with the gate on); give the program as spec.program.parts instead"
                + " (`kubectl sandboxrun submit PROGRAM` uploads it so)";
    }
}
