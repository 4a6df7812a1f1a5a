package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Pointer;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** One run's stdout: passed on as it comes, counted, hashed, its head kept for the status preview. */
final class StdoutSink {
    private static final int CHUNK = 64 * 1024;

    private final OutputStream out;
    private final MessageDigest sha;
    private final byte[] head;
    private byte[] buf = new byte[0];
    private int headLen;
    private long count;
    private IOException error;

    StdoutSink(OutputStream out, int headBytes) {
        this.out = out;
        this.head = new byte[Math.max(0, headBytes)];
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The callback's body: 0 to go on, -1 to stop the run (the consumer is gone). */
    int accept(Pointer data, long len) {
        try {
            long off = 0;
            while (off < len) {
                int n = (int) Math.min(CHUNK, len - off);
                if (buf.length < n) {
                    buf = new byte[Math.max(n, Math.min(CHUNK, 4096))];
                }
                data.read(off, buf, 0, n);
                sha.update(buf, 0, n);
                if (headLen < head.length) {
                    int h = Math.min(n, head.length - headLen);
                    System.arraycopy(buf, 0, head, headLen, h);
                    headLen += h;
                }
                count += n;
                if (out != null && error == null) {
                    out.write(buf, 0, n);
                }
                off += n;
            }
            if (out != null) {
                out.flush();
            }
            return 0;
        } catch (IOException e) {
            error = e;
            return -1;
        } catch (RuntimeException | Error e) {
            // Never let an exception unwind through native frames.
            error = new IOException(e.toString(), e);
            return -1;
        }
    }

    long count() {
        return count;
    }

    String sha256() {
        return HexFormat.of().formatHex(sha.digest());
    }

    byte[] head() {
        return Arrays.copyOf(head, headLen);
    }

    IOException error() {
        return error;
    }
}
