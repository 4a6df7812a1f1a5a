package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/**
 * How the objects that belong to a run name it, for the operator and the CLI alike: the labels and
 * annotation they carry, and their owner reference (so that the garbage collector deletes them with
 * the run).
 */
public final class RunObjects {
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "sandboxrun-operator";
    /** Who created an object that the operator does not manage (the CLI's program ConfigMaps). */
    public static final String LABEL_CREATED_BY = "app.kubernetes.io/created-by";
    public static final String CREATED_BY_CLI = "sandboxrun-cli";
    /**
     * The run's UID, never its name: a label value holds at most 63 characters
     * (apimachinery validation.go LabelValueMaxLength) and a run's name up to 253. The chart's
     * NetworkPolicy selects sandbox pods by this key.
     */
    public static final String LABEL_RUN = "sandboxrun.dev/run";
    public static final String LABEL_ATTEMPT = "sandboxrun.dev/attempt";
    /** The run's name, kept where any length fits. */
    public static final String ANNOTATION_RUN_NAME = "sandboxrun.dev/run-name";

    private RunObjects() {
    }

    /**
     * The run as owner. {@code controller}: the operator's own objects (pods, stdin and stdout
     * ConfigMaps) are controlled by the run; what a user or the CLI made for it is only owned.
     */
    public static OwnerReference owner(SandboxRun run, boolean controller) {
        OwnerReferenceBuilder b = new OwnerReferenceBuilder()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withUid(run.getMetadata().getUid())
                .withBlockOwnerDeletion(true);
        return (controller ? b.withController(true) : b).build();
    }

    /** Whether this object's owner references name the run (by UID: a name can be reused). */
    public static boolean ownedBy(io.fabric8.kubernetes.api.model.HasMetadata object, SandboxRun run) {
        var refs = object.getMetadata().getOwnerReferences();
        String uid = run.getMetadata().getUid();
        return uid != null && refs != null && refs.stream().anyMatch(o -> uid.equals(o.getUid()));
    }
}
