package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Usage;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Resources and statuses as people and scripts read them. */
public final class Printing {
    /** Made on first use only: a run that prints no document never loads the serializers. */
    private static final class Serialization {
        static final KubernetesSerialization INSTANCE = new KubernetesSerialization(
                new com.fasterxml.jackson.databind.ObjectMapper(), true,
                new io.fabric8.kubernetes.client.utils.YamlDumpSettingsBuilder().setMinimizeQuotes(true).build());
    }

    private Printing() {
    }

    public static String yaml(Object o) {
        return Serialization.INSTANCE.asYaml(o);
    }

    public static String json(Object o) {
        return Serialization.INSTANCE.asJson(o);
    }

    public static KubernetesSerialization serialization() {
        return Serialization.INSTANCE;
    }

    /** The resource as yaml or json (a format name), on a line of its own after what {@code out} has had. */
    public static String document(Object o, String format) {
        return switch (format) {
            case "yaml" -> yaml(o);
            case "json" -> json(o) + "\n";
            default -> throw new IllegalArgumentException("no document format " + format);
        };
    }

    /**
     * Writes the document (format yaml or json; anything else: nothing); false when stdout's reader
     * has gone away, which is not an error worth a word.
     */
    public static boolean documentQuietly(Tracking out, Object o, String format) {
        if (!format.equals("yaml") && !format.equals("json")) {
            return true;
        }
        try {
            out.newLineIfNeeded();
            out.write(document(o, format).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A stream that remembers the last byte written, to start a document on a new line. */
    public static final class Tracking extends OutputStream {
        private final OutputStream out;
        private long count;
        private int last = -1;

        public Tracking(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
            last = b & 0xff;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (len > 0) {
                count += len;
                last = b[off + len - 1] & 0xff;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        /** Ends a partial last line, so what follows starts on its own; then counts afresh. */
        public void newLineIfNeeded() throws IOException {
            if (count > 0 && last != '\n') {
                write('\n');
            }
            count = 0;
        }
    }

    /** One line: verdict, message, usage. */
    public static String summary(SandboxRun run) {
        return summary(run.getStatus());
    }

    /** One line: verdict, message, usage. */
    public static String summary(SandboxRunStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(s.getVerdict() == null ? String.valueOf(s.getPhase()) : s.getVerdict());
        if (s.getMessage() != null && !s.getMessage().isEmpty()) {
            b.append(" (").append(s.getMessage()).append(')');
        }
        Usage u = s.getUsage();
        if (u != null) {
            b.append(": cpu ").append(u.getCpuMs()).append(" ms, wall ").append(u.getWallMs())
                    .append(" ms, peak memory ").append(bytes(u.getMaxRssBytes()));
        }
        if (s.getStdout() != null && s.getStdout().getBytes() != null) {
            b.append(", stdout ").append(s.getStdout().getBytes()).append(" bytes");
        }
        return b.toString();
    }

    public static String bytes(Long n) {
        if (n == null) {
            return "?";
        }
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }
}
