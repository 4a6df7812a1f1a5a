package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Usage;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Resources and statuses as people and scripts read them. */
public final class Printing {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(
            new com.fasterxml.jackson.databind.ObjectMapper(), true,
            new io.fabric8.kubernetes.client.utils.YamlDumpSettingsBuilder().setMinimizeQuotes(true).build());

    private Printing() {
    }

    public static String yaml(Object o) {
        return SERIALIZATION.asYaml(o);
    }

    public static String json(Object o) {
        return SERIALIZATION.asJson(o);
    }

    public static KubernetesSerialization serialization() {
        return SERIALIZATION;
    }

    /** One line: verdict, message, usage. */
    public static String summary(SandboxRun run) {
        SandboxRunStatus s = run.getStatus();
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
