package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * --stdout-frames (docs/launcher-contract.md, "Stdout frames"): stdout as SR1 lines that a CRI log
 * keeps intact. Each run's frames are read back with a strict reader of the documented grammar
 * (written here, independent of the operator's decoder) and must give the program's bytes and the
 * result's own stdoutBytes and stdoutSha256.
 */
class StdoutFramesTest extends LauncherTestBase {
    static final int PAYLOAD = 3072;
    static final Pattern DATA = Pattern.compile("SR1 0 D (0|[1-9][0-9]*) ([A-Za-z0-9+/]*={0,2})");
    static final Pattern END = Pattern.compile("SR1 0 E (0|[1-9][0-9]*) ([0-9a-f]{64})");

    /** The frames' bytes, checking the grammar, the order, full frames but the last, and the E frame. */
    static byte[] decode(Run r) {
        String text = new String(r.stdout, StandardCharsets.US_ASCII);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "every line ends with a newline" + r.describe());
        String[] lines = text.split("\n", -1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean ended = false;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            assertTrue(!ended, "nothing after the E frame: " + line);
            assertTrue(line.length() <= 4 + 10 + 3 + 20 + 1 + 4096, "line " + i + " within the maximum");
            Matcher d = DATA.matcher(line);
            Matcher e = END.matcher(line);
            if (d.matches()) {
                // A frame is the block at its offset from its start: the next block, or the last
                // (partial) block again, longer (written when the program was quiet).
                int partial = out.size() % PAYLOAD;
                long blockStart = out.size() - partial;
                assertEquals(blockStart, Long.parseLong(d.group(1)), "frames in order, without gaps");
                assertEquals(0, d.group(2).length() % 4, "padded base64");
                byte[] payload = Base64.getDecoder().decode(d.group(2));
                assertTrue(payload.length > partial && payload.length <= PAYLOAD, "1 to 3072 bytes, more than before");
                byte[] sofar = out.toByteArray();
                assertArrayEquals(Arrays.copyOfRange(sofar, (int) blockStart, sofar.length),
                        Arrays.copyOf(payload, partial), "a block again begins with its bytes before");
                out.write(payload, partial, payload.length - partial);
            } else {
                assertTrue(e.matches(), "line " + i + " is a frame: " + line.substring(0, Math.min(80, line.length())));
                assertEquals(out.size(), Long.parseLong(e.group(1)), "E counts the bytes of the data frames");
                assertEquals(Launcher.sha256(out.toByteArray()), e.group(2), "E carries their SHA-256");
                assertEquals(r.num("stdoutBytes"), Long.parseLong(e.group(1)), "E's count is the result's");
                assertEquals(r.text("stdoutSha256"), e.group(2), "E's SHA-256 is the result's");
                ended = true;
            }
        }
        assertTrue(ended, "an E frame ends the stream" + r.describe());
        return out.toByteArray();
    }

    static Run echo(Situation s, byte[] stdin, String... options) {
        return Launcher.in(s).opt("--stdout-frames").opt(options)
                .opt("--stdin=" + Launcher.workFile("stdin", stdin, "rw-r--r--"))
                .program(Launcher.legit("stdin-echo")).run();
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void binaryBytesWithNulAndCrLfComeBackExactly(Situation s) {
        byte[] in = new byte[256 * 40 + 5];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 31 + i / 256);
        }
        byte[] tail = {'\r', '\n', 0, '\r', '\n', 'x'}; // ends without a newline
        byte[] all = Arrays.copyOf(in, in.length + tail.length);
        System.arraycopy(tail, 0, all, in.length, tail.length);
        Run r = echo(s, all).verdict("Completed");
        assertArrayEquals(all, decode(r), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void eightMebibytesOfNewlinesAreFullFrames(Situation s) {
        byte[] in = new byte[8 << 20];
        Arrays.fill(in, (byte) '\n');
        Run r = echo(s, in, "--stdout-max=8M").verdict("Completed");
        assertArrayEquals(in, decode(r), r.describe());
        long frames = (in.length + PAYLOAD - 1) / PAYLOAD;
        // Every frame line: "SR1 0 D " + offset + " " + 4096 + "\n"; log bytes per stdout byte ~1.34.
        assertTrue(r.stdout.length < frames * (8 + 8 + 1 + 4096 + 1) + 100, "log size " + r.stdout.length);
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void outputOverTheCapIsFramedUpToTheCap(Situation s) {
        Run r = Launcher.in(s).opt("--stdout-frames", "--stdout-max=10000")
                .program(Launcher.legit("output"), "20000").run().verdict("OutputLimitExceeded");
        assertArrayEquals(LimitsTest.outputBytes(10000), decode(r), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void emptyStdoutIsOneEFrame(Situation s) {
        Run r = echo(s, new byte[0]).verdict("Completed");
        assertEquals("SR1 0 E 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
                new String(r.stdout, StandardCharsets.US_ASCII), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aQuietProgramsPartialBlockGoesOutWhileItWaits(Situation s) {
        // Written, then 2.5 s of quiet (the hook's second, with room for a loaded machine), then more.
        Run r = Launcher.in(s).opt("--stdout-frames", "--cpu-ms=5000", "--wall-ms=20000")
                .program(Launcher.legit("pause-write"), "first\n", "2500", "second\n").run().verdict("Completed");
        assertArrayEquals("first\nsecond\n".getBytes(), decode(r), r.describe());
        assertTrue(new String(r.stdout, StandardCharsets.US_ASCII).startsWith(
                "SR1 0 D 0 " + Base64.getEncoder().encodeToString("first\n".getBytes()) + "\n"
                + "SR1 0 D 0 " + Base64.getEncoder().encodeToString("first\nsecond\n".getBytes()) + "\n"),
                "the partial block while the program slept, then again, longer" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void aTricklingProgramsPartialBlockStillGoesOutAboutOnceASecond(Situation s) {
        // A byte every 300 ms for 4.2 s: never a second of quiet. The partial block goes out a
        // second after its oldest byte not yet passed on, so a launcher killed with the program
        // (an OOM kill of the container) has passed on all but about the last second. Held back
        // until the end, the frames would be one data frame; here there are several before it.
        Run r = Launcher.in(s).opt("--stdout-frames", "--cpu-ms=5000", "--wall-ms=30000")
                .program(Launcher.legit("trickle"), "14", "300").run().verdict("Completed");
        assertArrayEquals("x".repeat(14).getBytes(), decode(r), r.describe());
        long dataFrames = new String(r.stdout, StandardCharsets.US_ASCII).lines()
                .filter(l -> l.startsWith("SR1 0 D ")).count();
        assertTrue(dataFrames >= 3, dataFrames + " data frames: the partial block went out while the program wrote"
                + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void withoutTheFlagStdoutIsRaw(Situation s) {
        Run r = Launcher.in(s).opt("--stdin=" + Launcher.workFile("stdin", "a\r\nb".getBytes(), "rw-r--r--"))
                .program(Launcher.legit("stdin-echo")).run().verdict("Completed");
        assertArrayEquals("a\r\nb".getBytes(), r.stdout, r.describe());
    }
}
