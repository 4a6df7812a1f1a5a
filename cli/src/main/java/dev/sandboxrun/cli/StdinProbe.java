package dev.sandboxrun.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process's stdin is a terminal, read from {@code /proc/self/fd/0} with plain Java
 * (no JNA at start-up). A stdin that is not a terminal (a pipe, a file, {@code /dev/null}) is the
 * program's input, as Unix tools treat it.
 */
public final class StdinProbe {
    /**
     * The path the launcher opens for a piped stdin. The library runs in this process, so this is
     * our descriptor 0: a pipe or FIFO streams (the launcher opens it non-blocking), a redirected
     * file is read from its start.
     */
    public static final String PATH = "/proc/self/fd/0";

    private StdinProbe() {
    }

    public static boolean isTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of(PATH)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return true;    // no descriptor 0 at all: nothing to pass on, as with a terminal
        }
    }
}
