package dev.sandboxrun.operator.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Arrays;
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
 * into partial (P) lines, and output that ends without a newline is written as a P line (readLine
 * returns an error for it: "it should be treated as a partial line"). A {@code \r} before a line's
 * {@code \n} is dropped (readLine's {@code drop = 2}). The kubelet gives back the content, adding
 * the newline for F lines only (parseCRILog keeps the newline ReadBytes read, and trims it for P):
 * raw stdout is not read back byte for byte ({@code \r\n} comes back as {@code \n}), framed
 * stdout is.</li>
 * <li>Rotation (pkg/kubelet/logs/container_log_manager.go rotateLogs): every
 * {@code logMonitorPeriod} (10 s) the kubelet renames the current file of each RUNNING container
 * whose size exceeds containerLogMaxSize (10Mi, pkg/kubelet/apis/config/v1beta1/defaults.go),
 * keeping containerLogMaxFiles (5) files in all.</li>
 * <li>A non-follow read (kubectl logs, GET pods/log) returns the current file only
 * (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs opens the container's log path).</li>
 * <li>A follow read ({@link #follow}) starts at the beginning of the current file too. At the end
 * of the file it waits (fsnotify, and a check every second); when the file was renamed by a
 * rotation it opens the log path again, which is then the newest file, from its beginning
 * (waitLogs returns recreated on Rename/Create; ReadLogs re-opens {@code path}): a reader that was
 * behind by more than one rotation skips the files between. It ends once the container is no
 * longer running and the file is read to its end (isContainerRunning). Here a rotation is one
 * step; on a node the runtime keeps writing the renamed file until the kubelet's
 * ReopenContainerLog, and lines written in that moment after a follower's last read are skipped
 * too: frames' offsets make either loss visible.</li>
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
    private LogFile current = new LogFile();
    private final Deque<LogFile> rotated = new ArrayDeque<>();
    private boolean ended;
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
                emitChunks(stream, buf, start, i > start && buf[i - 1] == '\r' ? i - 1 : i, true, at);
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
        notifyAll();
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
        notifyAll();
    }

    /** The container is no longer running: a follow read ends once it has read the current file. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    private void line(String stream, String tag, byte[] b, int off, int len, Instant at) {
        byte[] prefix = (RFC3339_NANO.format(at) + " " + stream + " " + tag + " ").getBytes(StandardCharsets.US_ASCII);
        current.append(prefix, 0, prefix.length);
        current.append(b, off, len);
        current.append(new byte[] {'\n'}, 0, 1);
        bytesWritten += prefix.length + len + 1;
    }

    /** The kubelet's periodic check for a running container: rotate when over the size. */
    public synchronized boolean rotateIfOver() {
        if (current.len <= maxSize) {
            return false;
        }
        rotated.addLast(current);
        while (rotated.size() > maxFiles - 1) {
            rotated.removeFirst(); // deleted; a follower that still has it open reads on
        }
        current = new LogFile();
        rotations++;
        notifyAll();
        return true;
    }

    /** What a non-follow read returns: the current file, decoded. */
    public synchronized byte[] read() {
        return decode(Arrays.copyOf(current.buf, current.len));
    }

    /** A follow read of the log, from the beginning of the current file. */
    public synchronized Follow follow() {
        return new Follow(current);
    }

    /** One follow read's position: the file it has open and where in it. */
    public final class Follow {
        private LogFile file;
        private int pos;

        private Follow(LogFile file) {
            this.file = file;
        }

        /**
         * The next lines' content, as the kubelet writes it to the response: waits up to timeoutMs
         * for some; empty when none came; null at the end (the container ended, its log read).
         */
        public byte[] next(long timeoutMs, int max) throws InterruptedException {
            synchronized (CriLog.this) {
                long deadline = System.nanoTime() + timeoutMs * 1_000_000;
                while (true) {
                    if (pos < file.len) {
                        // Whole lines only, up to about max bytes of file.
                        int end = Math.min(file.len, pos + max);
                        while (end < file.len && file.buf[end - 1] != '\n') {
                            end++;
                        }
                        byte[] raw = Arrays.copyOfRange(file.buf, pos, end);
                        pos = end;
                        return decode(raw);
                    }
                    if (file != current) {
                        file = current; // renamed: the log path is opened again
                        pos = 0;
                        continue;
                    }
                    if (ended) {
                        return null;
                    }
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return new byte[0];
                    }
                    CriLog.this.wait(left);
                }
            }
        }
    }

    /** One log file: what the runtime wrote to it. */
    private static final class LogFile {
        byte[] buf = new byte[4096];
        int len;

        void append(byte[] b, int off, int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
            }
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }
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
        return current.len + rotated.stream().mapToLong(f -> f.len).sum();
    }

    public synchronized long currentFileBytes() {
        return current.len;
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
