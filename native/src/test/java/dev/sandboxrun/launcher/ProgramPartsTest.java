package dev.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxrun.launcher.Launcher.Invocation;
import dev.sandboxrun.launcher.Launcher.Run;
import dev.sandboxrun.launcher.Launcher.Situation;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Programs delivered in parts (--program-part, --program-sha256): put together in order in
 * a sealed memfd, checked against their digest, and only then executed, once. Every failure
 * runs nothing; what runs from the memfd cannot change it, and sees nothing more than a
 * program run in place.
 */
class ProgramPartsTest extends LauncherTestBase {

    /** A program cut into files, with the digest of the whole. */
    record Parts(List<Path> files, String sha256) {
        Invocation into(Invocation inv) {
            return into(inv, sha256);
        }

        Invocation into(Invocation inv, String digest) {
            files.forEach(f -> inv.opt("--program-part=" + f));
            return inv.opt("--program-sha256=" + digest);
        }

        Path file(int i) {
            return files.get(i);
        }
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes cut into n parts of (nearly) equal size, readable by uid 65534. */
    static Parts split(byte[] b, int n) {
        List<Path> files = new ArrayList<>();
        int size = (b.length + n - 1) / n;
        for (int off = 0; off < b.length; off += size) {
            files.add(Launcher.workFile("part", Arrays.copyOfRange(b, off, Math.min(b.length, off + size)), "rw-r--r--"));
        }
        return new Parts(files, Launcher.sha256(b));
    }

    static Parts split(Path program, int n) {
        return split(bytes(program), n);
    }

    /** The list with part i replaced. */
    static Parts replace(Parts p, int i, Path with) {
        List<Path> files = new ArrayList<>(p.files());
        files.set(i, with);
        return new Parts(files, p.sha256());
    }

    /** Refused before anything ran; the message names each of the words. */
    static Run refused(Run r, String... words) {
        r.usageError().launchErrorReported(words[0]);
        String msg = r.text("message");
        for (String w : words) {
            assertTrue(msg.contains(w), "the message should name " + w + r.describe());
        }
        assertNull(r.text("programSha256"), "nothing ran: no programSha256" + r.describe());
        return r;
    }

    // ---------------------------------------------------------------- what runs

    @ParameterizedTest
    @EnumSource(Situation.class)
    void threePartsRunWithTheirDigest(Situation s) {
        Parts p = split(Launcher.legit("hello"), 3);
        assertEquals(3, p.files().size());
        Run r = p.into(Launcher.in(s)).program("hello").run().completedWith("Hello from C (glibc, static)\n");
        assertEquals(p.sha256(), r.text("programSha256"), "programSha256 is what ran" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void partsLaidOutAsAConfigMapVolumeRun(Situation s) throws IOException {
        // the kubelet shows each key of a ConfigMap volume as part-i -> ..data/part-i, with
        // ..data -> ..<timestamp>/ holding the files: the links are followed to the files
        Parts p = split(Launcher.legit("hello"), 3);
        Path volume = Files.createDirectory(Launcher.workPath("volume"));
        Path stamped = Files.createDirectory(volume.resolve("..2026_12_03_20_00_00.1"));
        Files.createSymbolicLink(volume.resolve("..data"), stamped.getFileName());
        List<Path> links = new ArrayList<>();
        for (int i = 0; i < p.files().size(); i++) {
            Files.copy(p.file(i), stamped.resolve("part-" + i));
            links.add(Files.createSymbolicLink(volume.resolve("part-" + i), Path.of("..data", "part-" + i)));
        }
        volume.toFile().setExecutable(true, false);
        stamped.toFile().setExecutable(true, false);
        Run r = new Parts(links, p.sha256()).into(Launcher.in(s)).program("hello").run()
                .completedWith("Hello from C (glibc, static)\n");
        assertEquals(p.sha256(), r.text("programSha256"), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void nameIsArgvZeroAndArgumentsFollow(Situation s) {
        Parts p = split(Launcher.legit("args"), 2);
        p.into(Launcher.in(s)).program("my name", "one", "--two").run()
                .completedWith("argv[0]=my name\nargv[1]=one\nargv[2]=--two\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void staticRuntimesStartFromAMemfd(Situation s) {
        // musl, C++ (glibc), Rust's std, pthreads: each reads its own start-up state, some
        // ask /proc/self/exe (glibc's readlink); a memfd is no different for them
        split(Launcher.legit("hello-musl"), 2).into(Launcher.in(s)).program("m").run()
                .completedWith("Hello from musl: 6 * 7 = 42\n");
        split(Launcher.legit("hello-cpp"), 2).into(Launcher.in(s)).program("c").run()
                .completedWith("caught: boom 42\na=1\nb=2\nc=3\nsorted: 1 3 5 9\n");
        split(Launcher.legit("hello-rust"), 3).into(Launcher.in(s)).program("r").run()
                .completedWith("brown 1\ndog 1\nend 1\nfox 1\njumps 1\nlazy 1\nover 1\nquick 1\nthe 3\n"
                        + "sum of squares: 385\njoined: 1-4-9\n");
        split(Launcher.legit("threads-sum"), 2).into(Launcher.in(s).opt("--profile=threads")).program("t").run()
                .completedWith("thread 0: 3124998750000\nthread 1: 9374998750000\n"
                        + "thread 2: 15624998750000\nthread 3: 21874998750000\ntotal: 49999995000000\n");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void programWithDigestRunsFromMemory(Situation s) {
        Path hello = Launcher.legit("hello");
        String sha = Launcher.sha256(bytes(hello));
        Run r = Launcher.in(s).opt("--program-sha256=" + sha).program(hello).run()
                .completedWith("Hello from C (glibc, static)\n");
        assertEquals(sha, r.text("programSha256"), r.describe());
        // without a digest, on an executable mount, it runs in place: no digest reported
        r = Launcher.in(s).program(hello).run().completedWith("Hello from C (glibc, static)\n");
        assertNull(r.text("programSha256"), "a program run in place has no programSha256" + r.describe());
    }

    // ---------------------------------------------------------------- what never runs

    @ParameterizedTest
    @EnumSource(Situation.class)
    void wrongDigestRunsNothing(Situation s) {
        // the parts would print; with a digest one digit off, not a byte reaches stdout
        Parts p = split(Launcher.legit("hello"), 3);
        // the marker: these very parts print when their digest is right
        p.into(Launcher.in(s)).program("hello").run().completedWith("Hello from C (glibc, static)\n");
        String wrong = (p.sha256().charAt(0) == '0' ? "1" : "0") + p.sha256().substring(1);
        refused(p.into(Launcher.in(s).inPidNamespace(), wrong).program("hello").run(),
                "SHA-256 mismatch", "expected " + wrong, "got " + p.sha256());
        Path hello = Launcher.legit("hello");
        refused(Launcher.in(s).opt("--program-sha256=" + wrong).program(hello).run(), "mismatch", hello.toString());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void corruptedOrReorderedPartsRunNothing(Situation s) {
        byte[] b = bytes(Launcher.legit("hello"));
        Parts p = split(b, 3);
        byte[] middle = bytes(p.file(1));
        middle[middle.length / 2] ^= 0x40;
        Path bad = Launcher.workFile("part-bad", middle, "rw-r--r--");
        String got = Launcher.sha256(concat(bytes(p.file(0)), middle, bytes(p.file(2))));
        refused(replace(p, 1, bad).into(Launcher.in(s)).program("hello").run(), "mismatch", "got " + got);
        Parts swapped = new Parts(List.of(p.file(0), p.file(2), p.file(1)), p.sha256());
        refused(swapped.into(Launcher.in(s)).program("hello").run(), "mismatch");
        Parts dropped = new Parts(List.of(p.file(0), p.file(2)), p.sha256());
        refused(dropped.into(Launcher.in(s)).program("hello").run(), "mismatch");
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] x : parts) {
            n += x.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] x : parts) {
            System.arraycopy(x, 0, all, off, x.length);
            off += x.length;
        }
        return all;
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void missingPartIsNamed(Situation s) {
        Parts p = split(Launcher.legit("hello"), 3);
        Path gone = Launcher.workPath("no-such-part");
        refused(replace(p, 1, gone).into(Launcher.in(s)).program("hello").run(),
                "program part 2 of 3", gone.toString(), "no such file");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void fifoDirectoryAndSymlinkPartsAreRefusedWithoutBlocking(Situation s) throws Exception {
        Parts p = split(Launcher.legit("hello"), 3);
        Path fifo = Launcher.workPath("fifo-part");
        assertEquals(0, new ProcessBuilder("mkfifo", "-m", "666", fifo.toString()).start().waitFor());
        // a FIFO nobody writes to: opening it for reading would block the launcher for ever
        refused(replace(p, 2, fifo).into(Launcher.in(s).timeoutMs(20_000)).program("hello").run(),
                "program part 3 of 3", fifo.toString(), "a FIFO");
        Path dir = Files.createDirectory(Launcher.workPath("dir-part"));
        refused(replace(p, 0, dir).into(Launcher.in(s)).program("hello").run(),
                "program part 1 of 3", "a directory");
        // a symbolic link is followed (a ConfigMap volume's keys are links), to what must be a regular file
        Path linkToFifo = Files.createSymbolicLink(Launcher.workPath("link-to-fifo-part"), fifo);
        refused(replace(p, 1, linkToFifo).into(Launcher.in(s).timeoutMs(20_000)).program("hello").run(),
                "program part 2 of 3", "a FIFO");
        refused(replace(p, 1, Path.of("/dev/zero")).into(Launcher.in(s)).program("hello").run(),
                "program part 2 of 3", "character device");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void unreadablePartIsNamed(Situation s) throws IOException {
        Assumptions.assumeTrue(s == Situation.UNPRIVILEGED_NO_CGROUP || !Launcher.isRoot(),
                "root reads any file: an unreadable part needs the unprivileged launcher");
        Parts p = split(Launcher.legit("hello"), 2);
        Files.setPosixFilePermissions(p.file(1), PosixFilePermissions.fromString("-w-------"));
        refused(p.into(Launcher.in(s)).program("hello").run(), "program part 2 of 2", "cannot open");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void moreThanSixtyFourMiBIsRefusedBySize(Situation s) throws IOException {
        Parts p = split(Launcher.legit("hello"), 2);
        Path sparse = Launcher.workPath("sparse-part");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(64L << 20);                  // a hole: nothing is read to refuse it
        }
        Files.setPosixFilePermissions(sparse, PosixFilePermissions.fromString("rw-r--r--"));
        long total = Files.size(p.file(0)) + (64L << 20);
        refused(replace(p, 1, sparse).into(Launcher.in(s)).program("hello").run(),
                "program part 2 of 2", "reaches " + total + " bytes", "67108864 bytes (64 MiB)");
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void malformedPartOptionsAreUsageErrors(Situation s) {
        Parts p = split(Launcher.legit("hello"), 2);
        Invocation noDigest = Launcher.in(s).opt("--program-part=" + p.file(0)).program("hello");
        noDigest.run().usageError().launchErrorReported("--program-sha256");
        p.into(Launcher.in(s), p.sha256().toUpperCase()).program("hello").run().usageError()
                .launchErrorReported("64 lowercase hex");
        p.into(Launcher.in(s)).run().usageError().launchErrorReported("no NAME");
    }

    // ---------------------------------------------------------------- where it runs from

    @ParameterizedTest
    @EnumSource(Situation.class)
    void programOnNoexecMountRunsFromMemory(Situation s) throws IOException {
        Assumptions.assumeTrue(Launcher.isRoot() && Launcher.onPath("unshare"),
                "a noexec mount needs root and unshare (a mount namespace of its own)");
        Path hello = Launcher.legit("hello");
        Path dir = Files.createDirectory(Launcher.workPath("noexec"));
        Path prog = dir.resolve("hello");
        // the premise first: exec from that mount must fail, else the test proves nothing
        String script = "mount -t tmpfs -o noexec,mode=0755 tmpfs \"$1\" && cp \"$2\" \"$1/hello\""
                + " && chmod 755 \"$1/hello\" || exit 98; if \"$1/hello\" >/dev/null 2>&1; then exit 99; fi;"
                + " shift 2; exec \"$@\"";
        Run r = Launcher.in(s).outer("unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
                "sh", dir.toString(), hello.toString()).program(prog).run();
        assertTrue(r.status != 98 && r.status != 99, "the noexec mount could not be made, or allowed exec"
                + r.describe());
        r.completedWith("Hello from C (glibc, static)\n");
        assertEquals(Launcher.sha256(bytes(hello)), r.text("programSha256"),
                "a program from a noexec mount runs from a memfd and reports its digest" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void memfdNoexecTwoIsAClearLaunchError(Situation s) {
        Assumptions.assumeTrue(Launcher.isRoot() && Launcher.onPath("unshare"),
                "vm.memfd_noexec is set in a PID namespace of its own, which needs root");
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/sys/vm/memfd_noexec")),
                "this kernel has no vm.memfd_noexec (before 6.3)");
        Parts p = split(Launcher.legit("hello"), 2);
        String script = "echo 2 > /proc/sys/vm/memfd_noexec || exit 98; exec \"$@\"";
        Run r = p.into(Launcher.in(s).outer("unshare", "--pid", "--fork", "--mount-proc", "--", "sh", "-c", script,
                "sh")).program("hello").run();
        assertEquals(70, r.status, "the launcher cannot do its job here: exit 70" + r.describe());
        r.notRun().launchErrorReported("vm.memfd_noexec=2");
    }

    // ---------------------------------------------------------------- what the program gets

    @ParameterizedTest
    @EnumSource(Situation.class)
    void programCannotWriteItsOwnMemfd(Situation s) {
        Parts p = split(Launcher.attack("exe-write"), 2);
        Run r = p.into(Launcher.in(s).inPidNamespace()).program("exe-write").run()
                .syscallViolation("open", "openat");
        assertEquals("readlink: EACCES\nopen read-only: EACCES\n", r.stdoutText(), r.describe());
        assertFalse(r.stdoutText().contains("BREACH"), r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void noDescriptorLeaksFromParts(Situation s) throws IOException {
        // neither the memfd nor a part's descriptor reaches the program
        Path file = Launcher.workFile("fd-target", new byte[0], "rw-rw-rw-");
        Parts p = split(Launcher.attack("fd-leak"), 3);
        Run r = p.into(Launcher.in(s).extraFds(file)).program("fd-leak").run()
                .completedWith("fds 0-2: ok\nopen fds: none\n");
        assertEquals(0, Files.size(file), "something was written through a leaked descriptor" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Situation.class)
    void noSecondExecOfTheMemfd(Situation s) {
        Run r = split(Launcher.attack("exec-fd"), 2).into(Launcher.in(s).inPidNamespace()).program("exec-fd").run()
                .syscallViolation("execveat");
        assertFalse(r.stdoutText().contains("BREACH"), r.describe());
    }
}
