package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;

/**
 * The launcher's result document ({@code docs/launcher-contract.md}): one JSON object of
 * at most 4,096 bytes. Unknown fields are ignored (the contract says "at least these").
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LauncherResult(
        String verdict,
        Integer exitCode,
        String signal,
        String syscall,
        long cpuMs,
        long wallMs,
        long maxRssBytes,
        long stdoutBytes,
        String stdoutSha256,
        String stderrTail,
        String message,
        String memoryEnforcement,
        String programSha256) {

    public static final int MAX_BYTES = 4096;

    /** How the launcher enforced the memory limit (its {@code memoryEnforcement} field). */
    public static final java.util.Set<String> MEMORY_ENFORCEMENTS =
            java.util.Set.of("cgroup-v2", "cgroup-v1", "container-cgroup", "supervisor");

    /** A result without {@code programSha256} (launchers before programs in parts, or no digest asked for). */
    public LauncherResult(String verdict, Integer exitCode, String signal, String syscall, long cpuMs, long wallMs,
                          long maxRssBytes, long stdoutBytes, String stdoutSha256, String stderrTail, String message,
                          String memoryEnforcement) {
        this(verdict, exitCode, signal, syscall, cpuMs, wallMs, maxRssBytes, stdoutBytes, stdoutSha256, stderrTail,
                message, memoryEnforcement, null);
    }

    /** A result without {@code memoryEnforcement} (documents of launchers that did not report it). */
    public LauncherResult(String verdict, Integer exitCode, String signal, String syscall, long cpuMs, long wallMs,
                          long maxRssBytes, long stdoutBytes, String stdoutSha256, String stderrTail, String message) {
        this(verdict, exitCode, signal, syscall, cpuMs, wallMs, maxRssBytes, stdoutBytes, stdoutSha256, stderrTail,
                message, null, null);
    }

    /** Made on first use, not when the class loads: a CLI that only reads verdict names starts quicker. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, false);
    }

    /** Why a document is not a valid result. */
    public static final class InvalidResultException extends Exception {
        public InvalidResultException(String message) {
            super(message);
        }
    }

    /** The verdict as the enum; parse() guarantees it is a launcher verdict. */
    public Verdict verdictValue() {
        return Verdict.ofLauncher(verdict);
    }

    /** Parses and checks a result document (a termination message, a --result file). */
    public static LauncherResult parse(String document) throws InvalidResultException {
        if (document == null || document.isBlank()) {
            throw new InvalidResultException("no result document");
        }
        if (document.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidResultException("result document larger than " + MAX_BYTES + " bytes");
        }
        LauncherResult r;
        try {
            r = Json.MAPPER.readValue(document, LauncherResult.class);
        } catch (JsonProcessingException e) {
            throw new InvalidResultException("result document is not valid JSON: " + e.getOriginalMessage());
        }
        if (r == null) {
            throw new InvalidResultException("result document is not a JSON object");
        }
        if (r.verdictValue() == null) {
            throw new InvalidResultException("unknown verdict " + (r.verdict == null ? "(none)" : "'" + r.verdict + "'"));
        }
        if (r.cpuMs < 0 || r.wallMs < 0 || r.maxRssBytes < 0 || r.stdoutBytes < 0) {
            throw new InvalidResultException("negative usage or stdout size in result document");
        }
        if (r.stdoutSha256 == null || !r.stdoutSha256.matches("[0-9a-f]{64}")) {
            throw new InvalidResultException("stdoutSha256 is not 64 lower-case hex digits");
        }
        if (r.programSha256 != null && !r.programSha256.matches("[0-9a-f]{64}")) {
            // Absent is fine (an older launcher); present and unreadable is a failure, never ignored.
            throw new InvalidResultException("programSha256 is not 64 lower-case hex digits");
        }
        return r;
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
