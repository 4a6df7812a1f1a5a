package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

import java.nio.charset.StandardCharsets;

/**
 * {@code sr_result} of {@code native/include/sandboxrun.h}, field for field. The CLI reads the
 * verdict through {@code sr_result_json} (the launcher's own document); the fields serve the
 * memory enforcement, which the document leaves to the library's extra fields, and tests.
 */
@Structure.FieldOrder({"verdict", "exited", "exit_code", "signal", "syscall", "cpu_ms", "wall_ms", "max_rss_bytes",
        "stdout_bytes", "stdout_sha256", "stderr_tail", "stderr_tail_len", "message", "memory_enforcement",
        "program_sha256"})
public class SrResult extends Structure {
    public static final int STDERR_TAIL = 1024;   // SR_STDERR_TAIL

    public int verdict;                 // sr_verdict
    public int exited;
    public int exit_code;
    public int signal;
    public byte[] syscall = new byte[48];
    public long cpu_ms;
    public long wall_ms;
    public long max_rss_bytes;
    public long stdout_bytes;
    public byte[] stdout_sha256 = new byte[65];
    public byte[] stderr_tail = new byte[STDERR_TAIL];
    public long stderr_tail_len;        // size_t
    public byte[] message = new byte[512];
    public Pointer memory_enforcement;  // const char *, static storage in the library
    public byte[] program_sha256 = new byte[65];   // "" unless the program ran from a memfd

    public SrResult() {
        super();
    }

    public String message() {
        return Native.toString(message, StandardCharsets.UTF_8.name());
    }

    public String syscall() {
        return Native.toString(syscall, StandardCharsets.US_ASCII.name());
    }

    /** The digest of what ran from a memfd (parts, a digest, a noexec mount); null when it ran in place or not at all. */
    public String programSha256() {
        String s = Native.toString(program_sha256, StandardCharsets.US_ASCII.name());
        return s.isEmpty() ? null : s;
    }

    public String memoryEnforcement() {
        return memory_enforcement == null ? null : memory_enforcement.getString(0, StandardCharsets.US_ASCII.name());
    }
}
