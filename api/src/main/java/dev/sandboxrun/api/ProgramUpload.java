package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Uploads a program's parts in {@link ProgramLayout}, content-addressed (the CLI's {@code submit},
 * and the operator's end-to-end tests, so they test this very code): a part already in the
 * namespace with the same bytes is not sent again (one GET each, no upload), so a program submitted
 * twice, or by two people, is stored once. A part created here names the run as an owner (the
 * operator adds the others), so the garbage collector deletes it with the last run using it.
 */
public final class ProgramUpload {
    /** A ConfigMap of a part's name that does not hold that part. */
    public static final class ForeignPart extends RuntimeException {
        public ForeignPart(String message) {
            super(message);
        }
    }

    /** What one upload did, for the user and for tests. */
    public record Result(int parts, int uploaded, int reused, long uploadedBytes) {
    }

    private ProgramUpload() {
    }

    /** Throws {@link ForeignPart} when a part's name is taken by other bytes. */
    public static Result upload(KubernetesClient client, SandboxRun run, String sha256, List<byte[]> parts) {
        String ns = run.getMetadata().getNamespace();
        int uploaded = 0;
        long bytes = 0;
        for (int i = 0; i < parts.size(); i++) {
            byte[] part = parts.get(i);
            String name = ProgramLayout.partName(sha256, i);
            ConfigMap existing = client.configMaps().inNamespace(ns).withName(name).get();
            if (existing == null) {
                ConfigMap cm = ProgramLayout.partConfigMap(ns, sha256, i, parts.size(), part);
                cm.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withApiVersion(run.getApiVersion()).withKind(run.getKind())
                        .withName(run.getMetadata().getName()).withUid(run.getMetadata().getUid()).build()));
                try {
                    client.resource(cm).create();
                    uploaded++;
                    bytes += part.length;
                    continue;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    // Another upload of the same program got there first: check what it stored.
                    existing = client.configMaps().inNamespace(ns).withName(name).get();
                }
            }
            check(existing, name, sha256, i, part);
        }
        return new Result(parts.size(), uploaded, parts.size() - uploaded, bytes);
    }

    /**
     * A part that exists must hold these very bytes: its name is only a claim, and a ConfigMap
     * of that name put there by someone else would make the run fail its digest check.
     */
    private static void check(ConfigMap existing, String name, String sha256, int index, byte[] part) {
        String want = StdoutLayout.sha256(part);
        String stored = existing == null || existing.getBinaryData() == null ? null
                : existing.getBinaryData().get(ProgramLayout.PART_KEY);
        byte[] bytes = null;
        if (stored != null) {
            try {
                bytes = Base64.getDecoder().decode(stored);
            } catch (IllegalArgumentException e) {
                bytes = null;
            }
        }
        if (existing == null || !ProgramLayout.claims(existing, sha256, index, want) || !Arrays.equals(bytes, part)) {
            throw new ForeignPart("ConfigMap " + name + " exists but does not hold part " + index
                    + " of this program (SHA-256 " + sha256 + "); it is not one this command made: delete it, or ask"
                    + " whoever made it");
        }
    }
}
