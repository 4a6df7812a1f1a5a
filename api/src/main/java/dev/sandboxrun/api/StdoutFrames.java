package dev.sandboxrun.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the launcher's {@code --stdout-frames} lines back out of a pod's log
 * (docs/launcher-contract.md, "Stdout frames"):
 *
 * <pre>
 * SR1 &lt;input&gt; D &lt;offset&gt; &lt;base64&gt;\n     data: payload bytes at offset of the input's stdout
 * SR1 &lt;input&gt; E &lt;bytes&gt; &lt;sha256hex&gt;\n    end: the input's byte count and SHA-256
 * </pre>
 *
 * <p>Log bytes can come in any chunking, mixed with lines that are not frames (skipped), with frames
 * repeated (a follow read that reconnects starts again at the beginning of the current log file).
 * Data is placed by offset and passed to the {@link Sink} only once and only in order, from byte 0
 * on: the sink never holds more than what it chooses to, whatever the log does. A frame beyond the
 * bytes received so far leaves a gap (reported with the missing range, never filled with
 * anything); the same offset with different bytes is a conflict; a line that starts with
 * {@value #PREFIX} and is not a valid frame is malformed. At the E frame the count and SHA-256 of
 * the bytes received are checked.
 *
 * <p>A data frame carries one {@value #PAYLOAD}-byte block of the stdout from the block's start, so
 * offsets are multiples of it; the last block received may come again, longer (the launcher passes
 * a partial block on when the program is quiet). That lets repeated frames be compared against a
 * 64-bit digest per block kept here (8 bytes per 3 KiB), not against the bytes themselves.
 */
public final class StdoutFrames {
    public static final String PREFIX = "SR1 ";
    public static final int PAYLOAD = 3072;
    /** The longest valid frame line without its newline: a data frame with a 20-digit offset. */
    public static final int MAX_LINE = 4 + 10 + 3 + 20 + 1 + PAYLOAD / 3 * 4;
    /** Problems kept word for word; later ones are only counted. */
    static final int PROBLEMS_KEPT = 5;
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    /** Receives each input's bytes in order, each byte once. */
    public interface Sink {
        void accept(int input, long offset, byte[] data, int off, int len);
    }

    /** What has come of one input so far. */
    public record Progress(long received, Long endBytes, String endSha256, Boolean verified, Long missingFrom,
                           Long missingTo, List<String> problems, long problemCount) {
        /** The E frame came, all its bytes came in order, and their SHA-256 matched it, with no problem seen. */
        public boolean complete() {
            return Boolean.TRUE.equals(verified) && problemCount == 0;
        }
    }

    private final int inputs;
    private final long cap;
    private final Sink sink;
    private final Input[] state;
    private final byte[] line = new byte[MAX_LINE];
    private int lineLen;
    /** The current line is not a frame (skipped to its newline), or an overlong one (reported once). */
    private boolean skipping;
    private final List<String> problems = new ArrayList<>();
    private long problemCount;

    /**
     * @param inputs how many inputs the run has (input numbers 0 .. inputs-1)
     * @param cap    the stdout cap per input: no frame may reach beyond it
     */
    public StdoutFrames(int inputs, long cap, Sink sink) {
        if (inputs < 1 || cap < 0) {
            throw new IllegalArgumentException("inputs >= 1 and cap >= 0");
        }
        this.inputs = inputs;
        this.cap = cap;
        this.sink = sink;
        this.state = new Input[inputs];
    }

    /**
     * Bytes of this input that were kept before (by an earlier reader: an operator that restarted),
     * from the input's current end on: they count as received (for the SHA-256 and for comparing
     * repeated frames) without going to the sink again.
     */
    public void known(int input, byte[] b, int off, int len) {
        input(input).append(b, off, len, false);
    }

    /** Feeds log bytes, as they come. */
    public void feed(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c == '\n') {
                // Only a line that began with the whole prefix is ours (an empty line, "SR1" alone are not).
                if (!skipping && lineLen >= PREFIX_BYTES.length) {
                    line(line, lineLen);
                }
                lineLen = 0;
                skipping = false;
                continue;
            }
            if (skipping) {
                // Skip to the newline in one step.
                int nl = i;
                while (nl < end && b[nl] != '\n') {
                    nl++;
                }
                i = nl - 1;
                continue;
            }
            if (lineLen < PREFIX_BYTES.length && c != PREFIX_BYTES[lineLen]) {
                skipping = true; // not a frame line: other output of the container, never ours to read
                continue;
            }
            if (lineLen == MAX_LINE) {
                problem("a frame line longer than " + MAX_LINE + " bytes");
                skipping = true;
                continue;
            }
            line[lineLen++] = c;
        }
    }

    /** The log ended: a last line without its newline is not a frame (the launcher ends every line). */
    public void endOfLog() {
        if (!skipping && lineLen >= PREFIX_BYTES.length) {
            problem("a frame line cut short at the end of the log");
        }
        lineLen = 0;
        skipping = false;
    }

    public Progress progress(int input) {
        Input s = input(input);
        List<String> all = new ArrayList<>(problems);
        all.addAll(s.problems);
        return new Progress(s.received, s.endBytes, s.endSha, s.verified, s.gapFrom(), s.gapTo(),
                List.copyOf(all.subList(0, Math.min(all.size(), PROBLEMS_KEPT))), problemCount + s.problemCount);
    }

    /** Hex SHA-256 of the input's bytes received so far (in order, from byte 0). */
    public String receivedSha256(int input) {
        try {
            return HexFormat.of().formatHex(((MessageDigest) input(input).sha.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void line(byte[] l, int n) {
        String text = new String(l, 0, n, StandardCharsets.US_ASCII);
        String[] f = text.split(" ", -1);
        if (f.length != 5 || !f[0].equals("SR1") || !(f[2].equals("D") || f[2].equals("E"))) {
            problem("not a frame: " + cut(text));
            return;
        }
        long in = number(f[1], 9);
        if (in < 0 || in >= inputs) {
            problem("input " + cut(f[1]) + " is not one of the run's " + inputs);
            return;
        }
        Input s = input((int) in);
        long figure = number(f[3], 19);
        if (figure < 0 || figure > cap) {
            s.problem("a frame's figure " + cut(f[3]) + " is not a number up to the cap of " + cap);
            return;
        }
        if (f[2].equals("D")) {
            data(s, figure, f[4]);
        } else {
            end(s, figure, f[4]);
        }
    }

    private void data(Input s, long offset, String b64) {
        if (b64.isEmpty() || b64.length() % 4 != 0 || b64.length() > PAYLOAD / 3 * 4) {
            s.problem("data frame at " + offset + ": " + b64.length() + " base64 characters");
            return;
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            s.problem("data frame at " + offset + ": bad base64 (" + e.getMessage() + ")");
            return;
        }
        if (offset % PAYLOAD != 0) {
            s.problem("data frame at " + offset + ": not a multiple of " + PAYLOAD);
            return;
        }
        if (offset + payload.length > cap) {
            s.problem("data frame at " + offset + " reaches beyond the cap of " + cap);
            return;
        }
        s.frame(offset, payload);
    }

    private void end(Input s, long bytes, String sha) {
        if (!sha.matches("[0-9a-f]{64}")) {
            s.problem("end frame: " + cut(sha) + " is not a SHA-256");
            return;
        }
        if (s.endBytes != null && (s.endBytes != bytes || !s.endSha.equals(sha))) {
            s.problem("end frames disagree: " + s.endBytes + " bytes " + s.endSha + ", then " + bytes + " bytes " + sha);
            return;
        }
        if (bytes < s.received) {
            s.problem("end frame counts " + bytes + " bytes, the data frames " + s.received);
            return;
        }
        s.endBytes = bytes;
        s.endSha = sha;
        s.check();
    }

    /** A decimal without sign or leading zero, of at most maxDigits digits; -1 otherwise. */
    static long number(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits || s.length() > 1 && s.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String cut(String s) {
        return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 40) + "...'";
    }

    private void problem(String p) {
        if (problems.size() < PROBLEMS_KEPT) {
            problems.add(p);
        }
        problemCount++;
    }

    private Input input(int i) {
        if (i < 0 || i >= inputs) {
            throw new IllegalArgumentException("input " + i + " of " + inputs);
        }
        if (state[i] == null) {
            state[i] = new Input(i);
        }
        return state[i];
    }

    /** One input's stream: received in order up to {@code received}, hashed as it grows. */
    private final class Input {
        final int number;
        long received;
        final MessageDigest sha = sha256();
        /** FNV-1a of each whole frame-sized block received; the block at the end is in {@code partial}. */
        long[] blocks = new long[16];
        long partial = FNV_OFFSET;
        /** The lowest offset of a frame seen beyond {@code received}: the end of the gap. */
        long beyond = Long.MAX_VALUE;
        Long endBytes;
        String endSha;
        Boolean verified;
        final List<String> problems = new ArrayList<>();
        long problemCount;

        Input(int number) {
            this.number = number;
        }

        void problem(String p) {
            if (problems.size() < PROBLEMS_KEPT) {
                problems.add("input " + number + ": " + p);
            }
            problemCount++;
        }

        Long gapFrom() {
            return beyond == Long.MAX_VALUE ? null : received;
        }

        Long gapTo() {
            return beyond == Long.MAX_VALUE ? null : beyond;
        }

        void frame(long offset, byte[] p) {
            if (endBytes != null && offset + p.length > endBytes) {
                problem("data frame at " + offset + " reaches beyond the end frame's " + endBytes + " bytes");
                return;
            }
            if (offset > received) {
                beyond = Math.min(beyond, offset);
                return;
            }
            int block = (int) (offset / PAYLOAD);
            long blockStart = (long) block * PAYLOAD;
            long have = received - blockStart; // bytes of this block already received
            if (have >= PAYLOAD) {
                // A whole block received: a repeat must be the same full frame.
                if (p.length != PAYLOAD || fnv(FNV_OFFSET, p, 0, p.length) != blocks[block]) {
                    problem("conflicting data at offset " + offset + ": not the bytes received there before");
                }
                return;
            }
            // The block at the end: compare what overlaps, take the rest.
            if (p.length < have) {
                problem("conflicting data at offset " + offset + ": " + p.length + " bytes where " + have
                        + " were received");
                return;
            }
            if (fnv(FNV_OFFSET, p, 0, (int) have) != partial) {
                problem("conflicting data at offset " + offset + ": not the bytes received there before");
                return;
            }
            if (p.length == have) {
                return; // a repeat of the partial block
            }
            append(p, (int) have, p.length - (int) have, true); // the partial block, grown
        }

        /** Bytes at {@code received}: hashed, block digests kept, passed on when they are new. */
        void append(byte[] b, int off, int len, boolean toSink) {
            if (received + len > cap) {
                throw new IllegalArgumentException("input " + number + ": more than the cap of " + cap + " bytes");
            }
            long at = received;
            sha.update(b, off, len);
            int i = off;
            int end = off + len;
            while (i < end) {
                int inBlock = (int) (received % PAYLOAD);
                int n = Math.min(end - i, PAYLOAD - inBlock);
                partial = fnv(partial, b, i, n);
                received += n;
                i += n;
                if (received % PAYLOAD == 0) {
                    int block = (int) (received / PAYLOAD) - 1;
                    if (block >= blocks.length) {
                        blocks = Arrays.copyOf(blocks, Math.max(block + 1, blocks.length * 2));
                    }
                    blocks[block] = partial;
                    partial = FNV_OFFSET;
                }
            }
            if (beyond <= received) {
                beyond = Long.MAX_VALUE; // the gap was filled after all
            }
            if (toSink) {
                sink.accept(number, at, b, off, len);
            }
            check();
        }

        /** Once every byte the E frame counts has come: their SHA-256 against it. */
        void check() {
            if (endBytes == null || verified != null || received != endBytes) {
                return;
            }
            try {
                String got = HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest());
                verified = got.equals(endSha);
                if (!verified) {
                    problem("the " + received + " bytes received have SHA-256 " + got + ", the end frame says "
                            + endSha);
                }
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static long fnv(long h, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            h ^= b[i] & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
