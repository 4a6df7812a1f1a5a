package dev.sandboxrun.operator.cluster;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRI log file as the runtime writes it and the kubelet reads it: exact bytes, cost on disk, rotation. */
class CriLogTest {
    static final int EIGHT_MIB = 8 << 20;

    static CriLog written(byte[] stdout, int chunk) {
        CriLog log = new CriLog(Long.MAX_VALUE, CriLog.DEFAULT_MAX_FILES);
        for (int off = 0; off < stdout.length; off += chunk) {
            log.write("stdout", stdout, off, Math.min(chunk, stdout.length - off), Instant.now());
        }
        log.close("stdout", Instant.now());
        return log;
    }

    /** What containerd keeps of raw stdout: every CR before an LF dropped. */
    static byte[] withoutCrBeforeLf(byte[] b) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < b.length; i++) {
            if (!(b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n')) {
                out.write(b[i]);
            }
        }
        return out.toByteArray();
    }

    @Test
    void aReadGivesBackTheBytesOfAnyShapeSaveCrBeforeLf() {
        byte[] random = new byte[300_000];
        new Random(1).nextBytes(random);
        assertArrayEquals(withoutCrBeforeLf(random), written(random, 65536).read());
        assertArrayEquals("a\nb\r\n".replace("\r\n", "\n").getBytes(),
                written("a\r\nb\r\n".getBytes(), 3).read(), "containerd's readLine drops CR LF's CR");
        byte[] longLine = new byte[100_000];
        Arrays.fill(longLine, (byte) 'x');
        assertArrayEquals(longLine, written(longLine, 4096).read(), "partial (P) lines and no final newline");
        byte[] newlines = new byte[1000];
        Arrays.fill(newlines, (byte) '\n');
        assertArrayEquals(newlines, written(newlines, 7).read());
    }

    @Test
    void eachLineCostsAboutFortyBytesOnDisk() {
        int mib = 1 << 20;
        byte[] newlines = new byte[mib];
        Arrays.fill(newlines, (byte) '\n');
        CriLog log = written(newlines, 65536);
        double perLine = (double) (log.bytesWritten() - mib) / mib;
        // "2026-12-03T17:00:00.123456789Z stdout F " is 40 bytes.
        assertEquals(40.0, perLine, 0.01);
        System.out.printf("CRI log on disk for 8 MiB of stdout: empty lines %d MiB%n", 8 * log.bytesWritten() >> 20);
        byte[] lines = new byte[EIGHT_MIB];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = (byte) (i % 81 == 80 ? '\n' : 'a');
        }
        long eighty = written(lines, 65536).bytesWritten();
        byte[] random = new byte[EIGHT_MIB];
        new Random(2).nextBytes(random);
        long binary = written(random, 65536).bytesWritten();
        System.out.printf("  80-character lines %.1f MiB, random binary %.1f MiB (containerLogMaxSize 10 MiB)%n",
                eighty / 1048576.0, binary / 1048576.0);
        assertTrue(eighty > CriLog.DEFAULT_MAX_SIZE, "80-column text is rotated before 8 MiB");
        assertTrue(binary < CriLog.DEFAULT_MAX_SIZE, "random bytes (a newline in 256) fit one file");
    }

    @Test
    void aFollowReadStartsAtTheCurrentFileAndGoesOnAcrossRotationsUntilTheEnd() throws Exception {
        CriLog log = new CriLog(10, 5);
        byte[] a = "aaaaaaaaaaaa\n".getBytes();
        log.write("stdout", a, 0, a.length, Instant.now());
        assertTrue(log.rotateIfOver());
        byte[] b = "bbbbbbbbbbbb\n".getBytes();
        log.write("stdout", b, 0, b.length, Instant.now());
        CriLog.Follow f = log.follow();
        assertArrayEquals(b, f.next(10, 1 << 20), "from the beginning of the current file, not the rotated one");
        assertEquals(0, f.next(10, 1 << 20).length, "waits for more");
        byte[] c = "cccccccccccc\n".getBytes();
        log.write("stdout", c, 0, c.length, Instant.now());
        assertTrue(log.rotateIfOver());
        byte[] d = "d\n".getBytes();
        log.write("stdout", d, 0, d.length, Instant.now());
        assertArrayEquals(c, f.next(10, 1 << 20), "the renamed file read to its end");
        assertArrayEquals(d, f.next(10, 1 << 20), "then the new current file");
        log.end();
        assertEquals(null, f.next(10, 1 << 20), "the container ended and its log was read");
    }

    @Test
    void aFollowReadBehindByTwoRotationsSkipsTheFileBetween() throws Exception {
        CriLog log = new CriLog(1, 5);
        CriLog.Follow f = log.follow();
        for (String line : new String[] {"1\n", "2\n", "3\n"}) {
            log.write("stdout", line.getBytes(), 0, 2, Instant.now());
            log.rotateIfOver();
        }
        log.write("stdout", "4\n".getBytes(), 0, 2, Instant.now());
        assertArrayEquals("1\n".getBytes(), f.next(10, 1 << 20));
        assertArrayEquals("4\n".getBytes(), f.next(10, 1 << 20), "the log path is the newest file");
    }

    @Test
    void rotationKeepsOnlyTheCurrentFileForANonFollowRead() {
        CriLog log = new CriLog(1000, 5);
        byte[] first = "a\n".repeat(100).getBytes();
        log.write("stdout", first, 0, first.length, Instant.now());
        assertTrue(log.rotateIfOver());
        byte[] second = "b\n".getBytes();
        log.write("stdout", second, 0, second.length, Instant.now());
        assertArrayEquals(second, log.read());
        assertEquals(1, log.rotations());
    }
}
