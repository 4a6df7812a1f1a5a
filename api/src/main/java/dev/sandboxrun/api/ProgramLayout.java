package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * How a program larger than one ConfigMap is kept in the cluster, content-addressed, so that the
 * same program is stored once however many runs use it. Written by the CLI's {@code submit}, by
 * any CI tool that follows {@code docs/sandboxrun-api.md}, and read by the operator:
 *
 * <ul>
 *   <li>ConfigMap {@code sandboxrun-program-<first 40 hex of the program's SHA-256>-<i>}, i from 0;</li>
 *   <li>binaryData key {@value #PART_KEY}, at most {@value #PART_MAX_BYTES} bytes;</li>
 *   <li>labels {@value #LABEL_PROGRAM}{@code =<first 40 hex>} and {@value #LABEL_PART}{@code =<i>};</li>
 *   <li>annotations with the whole program's SHA-256, the part's index, the number of parts and the
 *       part's own SHA-256.</li>
 * </ul>
 *
 * The {@value #LABEL_PART} label is the uploader's consent that the operator adds owner references
 * of the runs that use the object (so that the garbage collector deletes it with the last of them).
 */
public final class ProgramLayout {
    /** The binaryData key of every part. */
    public static final String PART_KEY = "part";
    /**
     * 768 KiB, whose base64 is exactly 1 MiB: the object stays under the ConfigMap's 1 MiB limit
     * (data and binaryData summed, pkg/apis/core/validation MaxSecretSize) with a quarter to spare, and
     * its JSON request (base64, metadata, annotations) stays far under etcd's 1.5 MiB request limit
     * (--max-request-bytes), as does an update that sends the whole object back.
     */
    public static final int PART_MAX_BYTES = 786_432;
    /** The largest program the launcher runs (its SR_PROGRAM_MAX): 64 MiB. */
    public static final long PROGRAM_MAX_BYTES = 64L << 20;
    /**
     * The most parts a run may name (spec.program.parts maxItems): enough for 64 MiB in parts of
     * 768 KiB (85 and a third).
     */
    public static final int MAX_PARTS = (int) ((PROGRAM_MAX_BYTES + PART_MAX_BYTES - 1) / PART_MAX_BYTES);
    public static final String NAME_PREFIX = "sandboxrun-program-";
    /**
     * Hex digits of the SHA-256 in names and labels: 160 bits, and a label value holds at most
     * 63 characters. The whole digest is in the annotations and the spec, and the launcher checks it.
     */
    public static final int ID_HEX = 40;
    public static final String LABEL_PROGRAM = "sandboxrun.dev/program";
    public static final String LABEL_PART = "sandboxrun.dev/program-part";
    public static final String ANNOTATION_PROGRAM_SHA256 = "sandboxrun.dev/program-sha256";
    public static final String ANNOTATION_PART_INDEX = "sandboxrun.dev/part-index";
    public static final String ANNOTATION_PART_COUNT = "sandboxrun.dev/part-count";
    public static final String ANNOTATION_PART_SHA256 = "sandboxrun.dev/part-sha256";

    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile(ProgramSource.SHA256_PATTERN);

    private ProgramLayout() {
    }

    /** The first {@value #ID_HEX} hex digits of the program's SHA-256: its name in names and labels. */
    public static String programId(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in lower-case hex: " + sha256);
        }
        return sha256.substring(0, ID_HEX);
    }

    /** {@code sandboxrun-program-<40 hex>-<i>}: at most 62 characters, a valid name of any object. */
    public static String partName(String sha256, int index) {
        if (index < 0 || index >= MAX_PARTS) {
            throw new IllegalArgumentException("part index " + index + " is not within 0.." + (MAX_PARTS - 1));
        }
        return NAME_PREFIX + programId(sha256) + "-" + index;
    }

    /** The program cut into parts of at most {@value #PART_MAX_BYTES} bytes (one part at least). */
    public static List<byte[]> split(byte[] program) {
        if (program.length == 0) {
            throw new IllegalArgumentException("an empty program has no parts");
        }
        if (program.length > PROGRAM_MAX_BYTES) {
            throw new IllegalArgumentException("a program of " + program.length + " bytes needs more than "
                    + MAX_PARTS + " parts of " + PART_MAX_BYTES + " bytes (at most " + PROGRAM_MAX_BYTES + " bytes)");
        }
        List<byte[]> parts = new ArrayList<>();
        for (int at = 0; at < program.length; at += PART_MAX_BYTES) {
            parts.add(Arrays.copyOfRange(program, at, Math.min(program.length, at + PART_MAX_BYTES)));
        }
        return parts;
    }

    /** The spec's program for these parts in this layout. */
    public static ProgramSource source(String sha256, int count) {
        List<PartRef> refs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            refs.add(PartRef.configMap(partName(sha256, i), PART_KEY));
        }
        return ProgramSource.parts(sha256, refs);
    }

    /** Part {@code index} of {@code count} of the program with this digest, immutable, without owners. */
    public static ConfigMap partConfigMap(String namespace, String sha256, int index, int count, byte[] bytes) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(partName(sha256, index))
                    .withNamespace(namespace)
                    .addToLabels(LABEL_PROGRAM, programId(sha256))
                    .addToLabels(LABEL_PART, String.valueOf(index))
                    .addToAnnotations(ANNOTATION_PROGRAM_SHA256, sha256)
                    .addToAnnotations(ANNOTATION_PART_INDEX, String.valueOf(index))
                    .addToAnnotations(ANNOTATION_PART_COUNT, String.valueOf(count))
                    .addToAnnotations(ANNOTATION_PART_SHA256, StdoutLayout.sha256(bytes))
                .endMetadata()
                .withImmutable(true)
                .addToBinaryData(PART_KEY, Base64.getEncoder().encodeToString(bytes))
                .build();
    }

    /**
     * Whether an object in the cluster is this part, by what its annotations claim (reading the
     * claim costs no bytes of the part; the launcher checks the whole program's digest anyway).
     */
    public static boolean claims(HasMetadata o, String sha256, int index, String partSha256) {
        Map<String, String> a = o.getMetadata() == null ? null : o.getMetadata().getAnnotations();
        return a != null && sha256.equals(a.get(ANNOTATION_PROGRAM_SHA256))
                && String.valueOf(index).equals(a.get(ANNOTATION_PART_INDEX))
                && partSha256.equals(a.get(ANNOTATION_PART_SHA256));
    }

    /**
     * Whether the object carries the {@value #LABEL_PART} label: its uploader's consent that runs
     * using it become its owners. Nothing else a run names is ever given an owner.
     */
    public static boolean isOptedInPart(HasMetadata o) {
        Map<String, String> l = o.getMetadata() == null ? null : o.getMetadata().getLabels();
        return l != null && l.containsKey(LABEL_PART);
    }
}
