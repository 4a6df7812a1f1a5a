package dev.sandboxrun.cli.nativelib;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sandboxrun.api.LauncherResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The launcher's result document read with Jackson's streaming parser: the same record and the
 * same checks as {@link LauncherResult#parse}, without starting Jackson's data binding, which alone
 * cost about a tenth of a second of every {@code exec}. {@code ResultDocumentTest} holds the two
 * readers to the same answers.
 */
final class ResultDocument {
    private static final JsonFactory JSON = new JsonFactory();

    private ResultDocument() {
    }

    static LauncherResult read(String document) throws LauncherResult.InvalidResultException {
        if (document == null || document.isBlank()) {
            throw new LauncherResult.InvalidResultException("no result document");
        }
        if (document.getBytes(StandardCharsets.UTF_8).length > LauncherResult.MAX_BYTES) {
            throw new LauncherResult.InvalidResultException("result document larger than " + LauncherResult.MAX_BYTES + " bytes");
        }
        String verdict = null;
        Integer exitCode = null;
        String signal = null;
        String syscall = null;
        String sha = null;
        String tail = null;
        String message = null;
        String memory = null;
        String programSha = null;
        long cpuMs = 0;
        long wallMs = 0;
        long rss = 0;
        long stdoutBytes = 0;
        try (JsonParser p = JSON.createParser(document)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new LauncherResult.InvalidResultException("result document is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "verdict" -> verdict = text(p, v, field);
                    case "exitCode" -> exitCode = v == JsonToken.VALUE_NULL ? null : (int) number(p, v, field);
                    case "signal" -> signal = text(p, v, field);
                    case "syscall" -> syscall = text(p, v, field);
                    case "cpuMs" -> cpuMs = number(p, v, field);
                    case "wallMs" -> wallMs = number(p, v, field);
                    case "maxRssBytes" -> rss = number(p, v, field);
                    case "stdoutBytes" -> stdoutBytes = number(p, v, field);
                    case "stdoutSha256" -> sha = text(p, v, field);
                    case "stderrTail" -> tail = text(p, v, field);
                    case "message" -> message = text(p, v, field);
                    case "memoryEnforcement" -> memory = text(p, v, field);
                    case "programSha256" -> programSha = text(p, v, field);
                    default -> p.skipChildren();   // fields a later launcher adds
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new LauncherResult.InvalidResultException("result document is not one JSON object");
            }
        } catch (IOException e) {
            throw new LauncherResult.InvalidResultException("result document is not valid JSON: " + e.getMessage());
        }
        LauncherResult r = new LauncherResult(verdict, exitCode, signal, syscall, cpuMs, wallMs, rss, stdoutBytes, sha,
                tail, message, memory, programSha);
        if (r.verdictValue() == null) {
            throw new LauncherResult.InvalidResultException("unknown verdict " + (verdict == null ? "(none)" : "'" + verdict + "'"));
        }
        if (cpuMs < 0 || wallMs < 0 || rss < 0 || stdoutBytes < 0) {
            throw new LauncherResult.InvalidResultException("negative usage or stdout size in result document");
        }
        if (sha == null || !sha.matches("[0-9a-f]{64}")) {
            throw new LauncherResult.InvalidResultException("stdoutSha256 is not 64 lower-case hex digits");
        }
        if (programSha != null && !programSha.matches("[0-9a-f]{64}")) {
            throw new LauncherResult.InvalidResultException("programSha256 is not 64 lower-case hex digits");
        }
        return r;
    }

    private static String text(JsonParser p, JsonToken v, String field) throws IOException, LauncherResult.InvalidResultException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw new LauncherResult.InvalidResultException(field + " is not a string");
        }
        return p.getText();
    }

    private static long number(JsonParser p, JsonToken v, String field) throws IOException, LauncherResult.InvalidResultException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw new LauncherResult.InvalidResultException(field + " is not a whole number");
        }
        return p.getLongValue();
    }
}
