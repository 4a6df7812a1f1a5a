package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdoutLayout;

/**
 * Where a run's stdout is kept: ConfigMaps owned by the run, {@code <run>-stdout-<i>}, each with
 * binaryData key {@value #KEY} holding at most {@value #CHUNK_BYTES} bytes and the offset of its
 * first byte in annotation {@value #ANNOTATION_OFFSET}. {@link StdoutFollower} writes them while
 * the pod runs.
 */
public final class StdoutStore {
    public static final String KEY = StdoutLayout.KEY;
    public static final int CHUNK_BYTES = StdoutLayout.CHUNK_BYTES;
    public static final String ANNOTATION_OFFSET = StdoutLayout.ANNOTATION_OFFSET;

    private StdoutStore() {
    }

    public static String configMapName(String run, int index) {
        return StdoutLayout.configMapName(run, index);
    }

    /** Stdout kept without the launcher's length and SHA-256 to check it against. */
    public record Partial(StatusMapper.CollectedStdout stdout, long bytes, String sha256) {
    }

    public static String sha256(byte[] bytes) {
        return StdoutLayout.sha256(bytes);
    }
}
