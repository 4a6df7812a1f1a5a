package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The one mapping from a launcher result (or an operator verdict) to {@link SandboxRunStatus}
 * fields, used by the operator and by local runs alike. Conditions follow batch/v1 Job:
 * {@code Complete} or {@code Failed} with status "True" once the run is finished.
 */
public final class StatusMapper {
    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    /** Present while a run waits (for a source, for a slot); removed when it starts. */
    public static final String WAITING = "Waiting";
    public static final int PREVIEW_BYTES = 4096;

    private StatusMapper() {
    }

    /** The stdout that was collected: its first bytes (or all), where it is kept, whether checked. */
    public record CollectedStdout(byte[] head, List<String> configMaps, boolean verified, String note) {
        public static final CollectedStdout NONE = new CollectedStdout(new byte[0], List.of(), false, null);

        public CollectedStdout(byte[] head, List<String> configMaps, boolean verified) {
            this(head, configMaps, verified, null);
        }
    }

    /** Finishes the status with the launcher's result. */
    public static void applyResult(SandboxRunStatus s, LauncherResult r, CollectedStdout stdout, Instant now) {
        Verdict v = r.verdictValue();
        s.setVerdict(v);
        s.setExitCode(r.exitCode());
        s.setSignal(r.signal());
        s.setSyscall(r.syscall());
        s.setMessage(stdout.note() == null ? r.message() : r.message() + "; " + stdout.note());
        s.setStderrTail(r.stderrTail());
        if (r.programSha256() != null) {
            s.setProgramSha256(r.programSha256());
        }
        s.setUsage(new Usage(r.cpuMs(), r.wallMs(), r.maxRssBytes(), r.memoryEnforcement()));
        StdoutStatus out = new StdoutStatus();
        out.setBytes(r.stdoutBytes());
        out.setSha256(r.stdoutSha256());
        out.setPreview(preview(stdout.head()));
        out.setConfigMaps(List.copyOf(stdout.configMaps()));
        out.setComplete(stdout.verified());
        s.setStdout(out);
        finish(s, v, s.getMessage(), now);
    }

    /**
     * Finishes the status with a verdict the launcher could not give (an operator verdict, or a
     * launcher verdict read from the pod, such as OOMKilled as MemoryLimitExceeded).
     */
    public static void applyVerdict(SandboxRunStatus s, Verdict v, String message, Instant now) {
        s.setVerdict(v);
        s.setMessage(message);
        finish(s, v, message, now);
    }

    /**
     * Finishes the status with a verdict read from the pod and the stdout the pod's log still held
     * (unverified: the launcher left no length or SHA-256 to check it against).
     */
    public static void applyVerdict(SandboxRunStatus s, Verdict v, String message, CollectedStdout stdout,
                                    long bytes, String sha256, Instant now) {
        StdoutStatus out = new StdoutStatus();
        out.setBytes(bytes);
        out.setSha256(sha256);
        out.setPreview(preview(stdout.head()));
        out.setConfigMaps(List.copyOf(stdout.configMaps()));
        out.setComplete(false);
        s.setStdout(out);
        applyVerdict(s, v, stdout.note() == null ? message : message + "; " + stdout.note(), now);
    }

    /** The run waits: for a source to appear, for a slot. */
    public static void waiting(SandboxRunStatus s, String reason, String message, Instant now) {
        s.setPhase(Phase.Pending);
        s.setMessage(message);
        setCondition(s, WAITING, "True", reason, message, now);
    }

    /** The run's pod for this attempt exists. */
    public static void running(SandboxRunStatus s, String podName, int attempt, Instant now) {
        s.setPhase(Phase.Running);
        s.setPodName(podName);
        s.setAttempts(attempt);
        s.setMessage(null);
        if (s.getStartTime() == null) {
            s.setStartTime(timestamp(now));
        }
        s.getConditions().removeIf(c -> WAITING.equals(c.getType()));
    }

    private static void finish(SandboxRunStatus s, Verdict v, String message, Instant now) {
        boolean ok = v == Verdict.Completed;
        s.setPhase(ok ? Phase.Succeeded : Phase.Failed);
        s.setCompletionTime(timestamp(now));
        s.getConditions().removeIf(c -> WAITING.equals(c.getType()));
        setCondition(s, ok ? COMPLETE : FAILED, "True", v.name(), message, now);
    }

    private static void setCondition(SandboxRunStatus s, String type, String status, String reason, String message,
                                     Instant now) {
        Condition old = s.condition(type);
        String since = old != null && status.equals(old.getStatus()) ? old.getLastTransitionTime() : timestamp(now);
        s.getConditions().removeIf(c -> type.equals(c.getType()));
        s.getConditions().add(new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message == null ? "" : message).withLastTransitionTime(since)
                .withObservedGeneration(s.getObservedGeneration()).build());
    }

    /** RFC 3339 in seconds, as Kubernetes writes times. */
    public static String timestamp(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * The first {@value #PREVIEW_BYTES} bytes as text, when they are UTF-8 (a character cut at the
     * end is left out) without NUL bytes; null otherwise.
     */
    public static String preview(byte[] head) {
        if (head == null) {
            return null;
        }
        int n = Math.min(head.length, PREVIEW_BYTES);
        if (head.length > n) {
            // Step back over continuation bytes so the cut falls between characters.
            int i = n;
            while (i > 0 && i > n - 4 && (head[i] & 0xC0) == 0x80) {
                i--;
            }
            n = i;
        }
        for (int i = 0; i < n; i++) {
            if (head[i] == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(head, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
