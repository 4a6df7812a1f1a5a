package dev.sandboxrun.cli.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A run's private folder (the program and stdin files), named after this process so that one left
 * by a process that was killed (OOM killer, SIGKILL: no finally runs) is removed by the next run.
 */
public final class TempDirs {
    static final String PREFIX = "sandboxrun-";

    private TempDirs() {
    }

    /** A new folder only this user can enter; first removes the folders of dead sandboxrun processes. */
    public static Path create() throws IOException {
        sweep(Path.of(System.getProperty("java.io.tmpdir")));
        long pid = ProcessHandle.current().pid();
        return Files.createTempDirectory(PREFIX + pid + "-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    /** Removes {@code sandboxrun-PID-*} folders whose process is gone (only this user's: others' cannot be). */
    static void sweep(Path tmp) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, PREFIX + "*-*")) {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            for (Path d : ds) {
                String rest = d.getFileName().toString().substring(PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) || ProcessHandle.of(pid).isPresent()
                        || !Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(uid)) {
                    continue;
                }
                delete(d);
            }
        } catch (IOException | RuntimeException ignored) {
            // tidying up after others is a courtesy, never a reason to fail a run
        }
    }

    /** Removes a folder and what it holds; quietly (a folder left behind is swept by the next run). */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // swept by the next run
        }
    }
}
