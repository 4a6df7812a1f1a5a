package dev.sandboxrun.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a run's stdout is kept in the cluster, written by the operator and read back by the CLI:
 * ConfigMaps {@code <run>-stdout-<i>} owned by the run, each with binaryData key {@value #KEY}
 * holding at most {@value #CHUNK_BYTES} bytes and annotation {@value #ANNOTATION_OFFSET} giving the
 * offset of its first byte; the whole checked against status.stdout (length and SHA-256).
 */
public final class StdoutLayout {
    public static final String KEY = "stdout";
    /** 700 KiB: base64 makes 933 KiB, under the 1 MiB object limit with room for metadata. */
    public static final int CHUNK_BYTES = 700 * 1024;
    public static final String ANNOTATION_OFFSET = "sandboxrun.dev/offset";

    private StdoutLayout() {
    }

    /** {@code <run>-stdout-<i>}, cut to fit with a hash when the run's name is long ({@link ObjectNames}). */
    public static String configMapName(String run, int index) {
        return ObjectNames.withSuffix(run, "-stdout-" + index);
    }

    /** Lower-case hex SHA-256, as the launcher writes it in stdoutSha256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
