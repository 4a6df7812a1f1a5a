package dev.sandboxrun.cli.local;

import java.io.IOException;

/** What a failed write of the program's stdout means. */
public final class StdoutErrors {
    private StdoutErrors() {
    }

    /**
     * The reader of stdout went away (EPIPE: {@code | head} had enough). The JVM ignores SIGPIPE,
     * so the write fails with this message instead of killing us.
     */
    public static boolean isBrokenPipe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Broken pipe") || m.contains("EPIPE"))) {
                return true;
            }
        }
        return false;
    }
}
