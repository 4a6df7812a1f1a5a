package dev.sandboxrun.operator.program;

import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.PartRef;
import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.operator.access.AccessPolicy;
import dev.sandboxrun.operator.access.Denial;
import dev.sandboxrun.operator.access.SecretOptIn;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a run's program ({@code spec.program.parts}) before its first pod: each must exist
 * with its key, a Secret must be open to runs ({@link SecretOptIn}), and the run becomes an owner
 * of each part ConfigMap that the uploader labelled {@value ProgramLayout#LABEL_PART}, so that the
 * garbage collector deletes a part shared by many runs when the last of them goes.
 *
 * <p>Confused deputy: an owner reference on an object that had none makes the garbage collector
 * delete it when the owner goes. A run may name any ConfigMap of its namespace, so the operator
 * adds owners only where the label says the uploader asked for it, never to Secrets (it does not
 * write Secrets at all), and never as controller.
 */
public final class ProgramParts {
    /**
     * What the parts allow: {@code missing} names the first part the cluster lacks (the run waits,
     * then fails {@code ProgramNotFound} naming it), {@code denial} a part the run may not use.
     */
    public record Check(String missing, Denial denial, List<Unowned> toOwn) {
        public static final Check READY = new Check(null, null, List.of());

        Check(String missing, Denial denial) {
            this(missing, denial, List.of());
        }

        public boolean ready() {
            return missing == null && denial == null;
        }
    }

    private ProgramParts() {
    }

    /** {@link #inspect}, then {@link #own} when the parts are ready. */
    public static Check check(KubernetesClient client, SandboxRun run, AccessPolicy policy) {
        Check c = inspect(client, run, policy);
        if (c.ready()) {
            own(client, run, c);
        }
        return c;
    }

    /**
     * Reads every part (a GET each) and checks it; says which opted-in part ConfigMaps do not name
     * the run as an owner yet. Writes nothing. A run without parts needs nothing and costs no request.
     */
    public static Check inspect(KubernetesClient client, SandboxRun run, AccessPolicy policy) {
        ProgramSource p = run.getSpec().getProgram();
        if (p == null || p.getParts() == null) {
            return Check.READY;
        }
        String ns = run.getMetadata().getNamespace();
        // Only what the patches need: up to 86 parts of 1 MiB are never held at once.
        List<Unowned> toOwn = new ArrayList<>();
        List<PartRef> parts = p.getParts();
        for (int i = 0; i < parts.size(); i++) {
            PartRef part = parts.get(i);
            KeyRef ref = part.ref();
            String use = "spec.program.parts[" + i + "]";
            if (part.isSecret()) {
                Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
                if (s == null || !has(s.getData(), ref.getKey()) && !has(s.getStringData(), ref.getKey())) {
                    return new Check("Secret " + ref.getName() + " key " + ref.getKey() + " (" + use + ")", null);
                }
                var denied = SecretOptIn.check(ns, use + ".secret", ref, s, policy);
                if (denied.isPresent()) {
                    return new Check(null, denied.get());
                }
            } else {
                ConfigMap c = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
                if (c == null || !has(c.getBinaryData(), ref.getKey()) && !has(c.getData(), ref.getKey())) {
                    return new Check("ConfigMap " + ref.getName() + " key " + ref.getKey() + " (" + use + ")", null);
                }
                if (ProgramLayout.isOptedInPart(c) && !ownedBy(c, run)) {
                    toOwn.add(new Unowned(ns, ref.getName(), c.getMetadata().getResourceVersion(),
                            c.getMetadata().getOwnerReferences() == null || c.getMetadata().getOwnerReferences().isEmpty()));
                }
            }
        }
        return new Check(null, null, List.copyOf(toOwn));
    }

    /** Adds the run as an owner of each part the check found without it (a JSON patch each). */
    public static void own(KubernetesClient client, SandboxRun run, Check check) {
        for (Unowned c : check.toOwn()) {
            addOwner(client, c, run);
        }
    }

    /** A part ConfigMap this run does not own yet, as it was read. */
    public record Unowned(String namespace, String name, String resourceVersion, boolean noOwners) {
    }

    /** The owner reference a run puts on a part: not a controller, and blocking nothing. */
    public static OwnerReference ownerOf(SandboxRun run) {
        return new OwnerReferenceBuilder()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withUid(run.getMetadata().getUid())
                .build();
    }

    /**
     * A JSON patch that appends the owner, tested against the resourceVersion read: another run
     * adding itself at the same moment makes it fail (and the reconciliation retry) instead of one
     * overwriting the other, and the patch never carries the part's bytes.
     */
    static void addOwner(KubernetesClient client, Unowned c, SandboxRun run) {
        OwnerReference o = ownerOf(run);
        String ref = "{\"apiVersion\":\"" + o.getApiVersion() + "\",\"kind\":\"" + o.getKind() + "\",\"name\":\""
                + o.getName() + "\",\"uid\":\"" + o.getUid() + "\"}";
        String add = c.noOwners() ? "{\"op\":\"add\",\"path\":\"/metadata/ownerReferences\",\"value\":[" + ref + "]}"
                : "{\"op\":\"add\",\"path\":\"/metadata/ownerReferences/-\",\"value\":" + ref + "}";
        String patch = "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
                + c.resourceVersion() + "\"}," + add + "]";
        client.configMaps().inNamespace(c.namespace()).withName(c.name()).patch(PatchContext.of(PatchType.JSON), patch);
    }

    static boolean ownedBy(ConfigMap c, SandboxRun run) {
        return c.getMetadata().getOwnerReferences() != null && c.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> run.getMetadata().getUid().equals(r.getUid()));
    }

    private static boolean has(Map<String, String> m, String key) {
        return m != null && m.containsKey(key);
    }
}
