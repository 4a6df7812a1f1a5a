package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StdoutFramesTest {
    static final long CAP = 8L << 20;

    /** The launcher's encoding of these bytes: frames of 3072, then E. */
    static String encode(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int off = 0; off < b.length; off += StdoutFrames.PAYLOAD) {
            s.append(data(off, Arrays.copyOfRange(b, off, Math.min(b.length, off + StdoutFrames.PAYLOAD))));
        }
        return s.append(end(b)).toString();
    }

    static String data(long off, byte[] payload) {
        return "SR1 0 D " + off + " " + Base64.getEncoder().encodeToString(payload) + "\n";
    }

    static String end(byte[] b) {
        return "SR1 0 E " + b.length + " " + StdoutLayout.sha256(b) + "\n";
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A decoder that collects what it passes on, checking order. */
    static final class Collect implements StdoutFrames.Sink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public void accept(int input, long offset, byte[] data, int off, int len) {
            assertEquals(0, input);
            assertEquals(out.size(), offset, "in order, each byte once");
            out.write(data, off, len);
        }
    }

    static StdoutFrames.Progress feed(Collect c, String log, int chunk) {
        StdoutFrames f = new StdoutFrames(1, CAP, c);
        byte[] b = log.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i += chunk) {
            f.feed(b, i, Math.min(chunk, b.length - i));
        }
        f.endOfLog();
        return f.progress(0);
    }

    @Test
    void binaryBytesInAnyChunkingWithOtherLinesAndRepeats() {
        byte[] bytes = random(3 * StdoutFrames.PAYLOAD + 17, 1);
        String frames = encode(bytes);
        // stderr lines between, a whole repeat after a "reconnect", split at every size.
        String[] lines = frames.split("(?<=\n)");
        String log = "diagnostic on stderr\n" + lines[0] + "SR2 not ours\n" + lines[1] + lines[0] + lines[1]
                + "\n" + lines[2] + lines[3] + lines[4] + frames;
        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            Collect c = new Collect();
            StdoutFrames.Progress p = feed(c, log, chunk);
            assertArrayEquals(bytes, c.out.toByteArray(), "chunk " + chunk);
            assertTrue(p.complete(), p.toString());
            assertEquals(bytes.length, p.received());
            assertEquals(0, p.problemCount());
        }
    }

    @Test
    void emptyStdoutIsCompleteWithTheEFrameAlone() {
        Collect c = new Collect();
        StdoutFrames.Progress p = feed(c, end(new byte[0]), 5);
        assertTrue(p.complete(), p.toString());
        assertEquals(0, c.out.size());
    }

    @Test
    void eightMebibytesOfNewlines() {
        byte[] bytes = new byte[8 << 20];
        Arrays.fill(bytes, (byte) '\n');
        Collect c = new Collect();
        assertTrue(feed(c, encode(bytes), 65536).complete());
        assertArrayEquals(bytes, c.out.toByteArray());
    }

    @Test
    void aGapIsNamedAndNothingAfterItIsPassedOn() {
        byte[] bytes = random(5 * StdoutFrames.PAYLOAD, 2);
        String[] lines = encode(bytes).split("(?<=\n)");
        Collect c = new Collect();
        // Frames 1 and 2 were in a rotated file nobody read.
        StdoutFrames.Progress p = feed(c, lines[0] + lines[3] + lines[4] + lines[5], 100);
        assertFalse(p.complete());
        assertEquals(StdoutFrames.PAYLOAD, p.received());
        assertEquals(StdoutFrames.PAYLOAD, p.missingFrom());
        assertEquals(3L * StdoutFrames.PAYLOAD, p.missingTo());
        assertNull(p.verified(), "not all the bytes came");
        assertArrayEquals(Arrays.copyOf(bytes, StdoutFrames.PAYLOAD), c.out.toByteArray());
    }

    @Test
    void knownBytesFromAnEarlierReaderCountForTheShaAndForRepeats() {
        byte[] bytes = random(4 * StdoutFrames.PAYLOAD + 5, 3);
        Collect c = new Collect();
        StdoutFrames f = new StdoutFrames(1, CAP, c);
        int kept = 2 * StdoutFrames.PAYLOAD;
        f.known(0, bytes, 0, kept);
        c.out.write(bytes, 0, kept);
        byte[] log = encode(bytes).getBytes(StandardCharsets.US_ASCII);
        f.feed(log, 0, log.length);
        assertTrue(f.progress(0).complete(), f.progress(0).toString());
        assertArrayEquals(bytes, c.out.toByteArray());
    }

    static Stream<Arguments> hostile() {
        byte[] ok = random(StdoutFrames.PAYLOAD + 10, 4);
        String good = encode(ok);
        String first = good.split("(?<=\n)")[0];
        String b64 = first.substring("SR1 0 D 0 ".length(), first.length() - 1);
        return Stream.of(
                Arguments.of("overlong", "SR1 0 D 0 " + "A".repeat(StdoutFrames.MAX_LINE) + "\n", "longer than"),
                Arguments.of("bad base64", "SR1 0 D 0 @@@@\n", "bad base64"),
                Arguments.of("unpadded base64", "SR1 0 D 0 QUI\n", "base64 characters"),
                Arguments.of("negative offset", "SR1 0 D -3072 QUJD\n", "not a number"),
                Arguments.of("leading zero", "SR1 0 D 03072 QUJD\n", "not a number"),
                Arguments.of("huge offset", "SR1 0 D 99999999999999999999 QUJD\n", "not a number"),
                Arguments.of("beyond the cap", "SR1 0 D " + CAP / 3072 * 3072 + " " + b64 + "\n", "beyond the cap"),
                Arguments.of("unaligned", "SR1 0 D 5 QUJD\n", "not a multiple"),
                Arguments.of("other input", "SR1 1 D 0 QUJD\n", "not one of the run's 1"),
                Arguments.of("unknown kind", "SR1 0 X 0 QUJD\n", "not a frame"),
                Arguments.of("extra field", "SR1 0 D 0 QUJD x\n", "not a frame"),
                Arguments.of("bad sha", "SR1 0 E 3 xyz\n", "not a SHA-256"),
                Arguments.of("conflict", "SR1 0 D 0 " + b64.replaceFirst("^.", b64.charAt(0) == 'A' ? "B" : "A")
                        + "\n", "conflicting data"),
                Arguments.of("E counting less", "SR1 0 E 5 " + StdoutLayout.sha256(new byte[5]) + "\n",
                        "end frame"),
                Arguments.of("E disagreeing", "SR1 0 E " + ok.length + " " + StdoutLayout.sha256(new byte[1]) + "\n",
                        "end frames disagree"),
                Arguments.of("cut at the end of the log", "SR1 0 D 0 QUJD", "cut short"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void aHostileLineIsAProblemAndNeverData(String name, String line, String says) {
        byte[] ok = random(StdoutFrames.PAYLOAD + 10, 4);
        Collect c = new Collect();
        StdoutFrames.Progress p = feed(c, encode(ok) + line, 3);
        assertFalse(p.complete(), name + ": " + p);
        assertTrue(p.problemCount() >= 1, name);
        assertTrue(p.problems().stream().anyMatch(s -> s.contains(says)), name + ": " + p.problems());
        assertArrayEquals(ok, c.out.toByteArray(), name + ": the good bytes stand");
    }

    @Test
    void anEFrameBeforeTheDataIsCheckedOnceTheDataCame() {
        byte[] bytes = random(100, 5);
        Collect c = new Collect();
        StdoutFrames.Progress p = feed(c, end(bytes) + data(0, bytes), 9);
        assertTrue(p.complete(), p.toString());
        Collect wrong = new Collect();
        byte[] other = bytes.clone();
        other[50] ^= 1;
        StdoutFrames.Progress q = feed(wrong, end(bytes) + data(0, other), 9);
        assertFalse(q.complete());
        assertEquals(Boolean.FALSE, q.verified());
    }

    @Test
    void aPartialBlockThatComesAgainLongerGrowsAndAShorterOneIsAConflict() {
        byte[] bytes = random(StdoutFrames.PAYLOAD + 20, 6);
        Collect c = new Collect();
        String log = data(0, Arrays.copyOf(bytes, 10)) + data(0, Arrays.copyOf(bytes, 10))
                + data(0, Arrays.copyOf(bytes, StdoutFrames.PAYLOAD))
                + data(StdoutFrames.PAYLOAD, Arrays.copyOfRange(bytes, StdoutFrames.PAYLOAD, StdoutFrames.PAYLOAD + 5))
                + data(StdoutFrames.PAYLOAD, Arrays.copyOfRange(bytes, StdoutFrames.PAYLOAD, bytes.length))
                + end(bytes);
        StdoutFrames.Progress p = feed(c, log, 13);
        assertTrue(p.complete(), p.toString());
        assertArrayEquals(bytes, c.out.toByteArray());
        Collect d = new Collect();
        StdoutFrames.Progress q = feed(d, data(0, Arrays.copyOf(bytes, 10)) + data(0, Arrays.copyOf(bytes, 4)), 13);
        assertTrue(q.problems().get(0).contains("conflicting data"), q.problems().toString());
        Collect e = new Collect();
        byte[] other = Arrays.copyOf(bytes, 12);
        other[3] ^= 1;
        StdoutFrames.Progress r = feed(e, data(0, Arrays.copyOf(bytes, 10)) + data(0, other), 13);
        assertTrue(r.problems().get(0).contains("conflicting data"), r.problems().toString());
        assertArrayEquals(Arrays.copyOf(bytes, 10), e.out.toByteArray(), "the grown block's other bytes are not taken");
    }
}
