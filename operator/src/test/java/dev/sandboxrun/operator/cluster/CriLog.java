package dev.sandboxrun.operator.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * One container's log as the container runtime writes it and the kubelet serves it.
 *
 * <ul>
 * <li>Format (containerd internal/cri/io/logger.go redirectLogs; kubelet
 * pkg/kubelet/kuberuntime/logs/logs.go parseCRILog): every line on disk is
 * {@code <RFC3339Nano time> <stream> <F|P> <content>\n}, about 40 bytes beyond the content; a
 * line longer than the runtime's buffer (16 KiB, containerd max_container_log_line_size) is cut
 * into partial (P) lines, and output that ends without a newline is written as a P line. The kubelet
 * gives back the content, adding the newline for F lines only: reading is byte-exact.</li>
 * <li>Rotation (pkg/kubelet/logs/container_log_manager.go rotateLogs): every
 * {@code logMonitorPeriod} (10 s) the kubelet renames the current file of each RUNNING container
 * whose size exceeds containerLogMaxSize (10Mi, pkg/kubelet/apis/config/v1beta1/defaults.go),
 * keeping containerLogMaxFiles (5) files in all.</li>
 * <li>A non-follow read (kubectl logs, GET pods/log) returns the current file only
 * (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs opens the container's log path).</li>
 * </ul>
 */
public final class CriLog {
    public static final long DEFAULT_MAX_SIZE = 10L * 1024 * 1024;
    public static final int DEFAULT_MAX_FILES = 5;
    /** containerd's default max_container_log_line_size. */
    public static final int MAX_LINE = 16 * 1024;
    private static final DateTimeFormatter RFC3339_NANO = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

    private final long maxSize;
    private final int maxFiles;
    private ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final Deque<byte[]> rotated = new ArrayDeque<>();
    private final Map<String, ByteArrayOutputStream> pending = new HashMap<>();
    private long bytesWritten;
    private int rotations;

    public CriLog(long maxSize, int maxFiles) {
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
    }

    /** Bytes the container wrote on a stream ("stdout" or "stderr"), as they arrive. */
    public synchronized void write(String stream, byte[] b, int off, int len, Instant at) {
        ByteArrayOutputStream p = pending.computeIfAbsent(stream, s -> new ByteArrayOutputStream());
        p.write(b, off, len);
        byte[] buf = p.toByteArray();
        int start = 0;
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] == '\n') {
                emitChunks(stream, buf, start, i, true, at);
                start = i + 1;
            }
        }
        // A run without newline as long as the runtime's buffer is written as partial lines at once.
        while (buf.length - start >= MAX_LINE) {
            line(stream, "P", buf, start, MAX_LINE, at);
            start += MAX_LINE;
        }
        p.reset();
        p.write(buf, start, buf.length - start);
    }

    private void emitChunks(String stream, byte[] buf, int from, int to, boolean full, Instant at) {
        while (to - from > MAX_LINE) {
            line(stream, "P", buf, from, MAX_LINE, at);
            from += MAX_LINE;
        }
        line(stream, full ? "F" : "P", buf, from, to - from, at);
    }

    /** The stream ended: what is left without a newline is written as a partial line. */
    public synchronized void close(String stream, Instant at) {
        ByteArrayOutputStream p = pending.remove(stream);
        if (p != null && p.size() > 0) {
            byte[] buf = p.toByteArray();
            emitChunks(stream, buf, 0, buf.length, false, at);
        }
    }

    private void line(String stream, String tag, byte[] b, int off, int len, Instant at) {
        byte[] prefix = (RFC3339_NANO.format(at) + " " + stream + " " + tag + " ").getBytes(StandardCharsets.US_ASCII);
        current.write(prefix, 0, prefix.length);
        current.write(b, off, len);
        current.write('\n');
        bytesWritten += prefix.length + len + 1;
    }

    /** The kubelet's periodic check for a running container: rotate when over the size. */
    public synchronized boolean rotateIfOver() {
        if (current.size() <= maxSize) {
            return false;
        }
        rotated.addLast(current.toByteArray());
        while (rotated.size() > maxFiles - 1) {
            rotated.removeFirst();
        }
        current = new ByteArrayOutputStream();
        rotations++;
        return true;
    }

    /** What a non-follow read returns: the current file, decoded. */
    public synchronized byte[] read() {
        return decode(current.toByteArray());
    }

    public synchronized int rotations() {
        return rotations;
    }

    /** Bytes written to disk in all, prefixes included. */
    public synchronized long bytesWritten() {
        return bytesWritten;
    }

    /** What the log takes on the node's disk now: the current file and the rotated ones kept. */
    public synchronized long bytesOnDisk() {
        return current.size() + rotated.stream().mapToLong(b -> b.length).sum();
    }

    public synchronized long currentFileBytes() {
        return current.size();
    }

    /** The kubelet's parse of CRI lines: content, plus the newline of full (F) lines. */
    static byte[] decode(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length);
        int i = 0;
        while (i < file.length) {
            int end = i;
            while (end < file.length && file[end] != '\n') {
                end++;
            }
            int s1 = indexOf(file, (byte) ' ', i, end);
            int s2 = indexOf(file, (byte) ' ', s1 + 1, end);
            int s3 = indexOf(file, (byte) ' ', s2 + 1, end);
            if (s1 < 0 || s2 < 0 || s3 < 0) {
                throw new IllegalStateException("malformed CRI log line at byte " + i);
            }
            out.write(file, s3 + 1, end - s3 - 1);
            if (file[s2 + 1] == 'F') {
                out.write('\n');
            }
            i = end + 1;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        if (from < 0) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
