package dev.sandboxrun.operator.output;

import dev.sandboxrun.api.StdoutFrames;

/** Whether the stdout read from a pod's frames is exactly what the launcher passed on, and if not why. */
final class StdoutVerdict {
    private StdoutVerdict() {
    }

    /**
     * Null when the frames gave every byte, their E frame and the launcher's result agree on count and
     * SHA-256, and no frame line was wrong; else one sentence for status.message.
     *
     * @param lastError why the last read of the log failed, or null
     */
    static String note(String pod, StdoutFrames.Progress p, long bytes, String sha256, String lastError) {
        if (p.complete() && p.endBytes() == bytes && sha256.equals(p.endSha256())) {
            return null;
        }
        StringBuilder s = new StringBuilder("stdout incomplete: ");
        if (p.received() < bytes) {
            long to = p.missingTo() != null ? Math.min(p.missingTo(), bytes) : bytes;
            s.append("bytes ").append(p.received()).append(" to ").append(to - 1).append(" of ").append(bytes)
                    .append(" were not in pod ").append(pod).append("'s log when it was read (");
            if (p.missingTo() != null) {
                s.append("later bytes were; the kubelet serves only the current log file, and the log was rotated "
                        + "at containerLogMaxSize while no follow read was open");
            } else if (lastError != null) {
                s.append("the log could not be read: ").append(lastError);
            } else {
                s.append("the log ended there");
            }
            s.append("); the first ").append(p.received()).append(" bytes are kept");
        } else if (p.received() > bytes) {
            s.append("the log's frames hold ").append(p.received()).append(" bytes, the launcher passed on ")
                    .append(bytes);
        } else if (p.endBytes() == null) {
            s.append("the log has no end frame to check its ").append(bytes).append(" bytes against");
        } else if (p.endBytes() != bytes || !sha256.equals(p.endSha256())) {
            s.append("the log's end frame (").append(p.endBytes()).append(" bytes, SHA-256 ").append(p.endSha256())
                    .append(") disagrees with the launcher's result");
        } else if (Boolean.FALSE.equals(p.verified())) {
            s.append("the bytes read from the log do not have the launcher's SHA-256");
        } else {
            s.append("the bytes are all here");
        }
        if (p.problemCount() > 0) {
            s.append("; ").append(p.problemCount()).append(" wrong frame line(s) in the log: ")
                    .append(String.join("; ", p.problems()));
        }
        return s.toString();
    }
}
