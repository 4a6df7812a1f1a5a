package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.Structure;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code sr_config} of {@code native/include/sandboxrun.h}, field for field (x86-64 LP64: the
 * {@code uint64_t} fields are {@code long}, pointers are {@link Pointer} or {@link String}).
 * {@code StructLayoutTest} compares its offsets with the header as gcc lays it out.
 */
@Structure.FieldOrder({"profile", "cpu_ms", "wall_ms", "memory_bytes", "stdout_max", "program", "argv",
        "stdin_path", "sandbox_uid", "sandbox_gid", "on_stdout", "on_stdout_ctx", "cancel_fd",
        "program_parts", "program_sha256"})
public class SrConfig extends Structure {
    public int profile;                 // sr_profile
    public long cpu_ms;
    public long wall_ms;
    public long memory_bytes;
    public long stdout_max;
    public String program;              // const char *
    public Pointer argv;                // const char *const *, NULL-terminated
    public String stdin_path;           // const char *, NULL: empty stdin
    public int sandbox_uid;             // uint32_t
    public int sandbox_gid;
    public SrStdoutFn on_stdout;        // NULL: discard
    public Pointer on_stdout_ctx;
    public int cancel_fd;               // -1: none
    public Pointer program_parts;       // const char *const *, NULL-terminated; program must then be null
    public String program_sha256;       // const char *, 64 lowercase hex digits; required with parts

    /** The parts' strings: held here, so they live as long as this structure (cfg holds their address). */
    private StringArray parts;

    public SrConfig() {
        super();
    }

    /**
     * A program in parts (their bytes in this order are the program) with the digest of the
     * whole; program is cleared (the two are exclusive). Nothing runs unless the parts hash to
     * sha256.
     */
    public void programParts(List<String> paths, String sha256) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no program parts");
        }
        parts = new StringArray(paths.toArray(new String[0]), StandardCharsets.UTF_8.name());
        program_parts = parts;
        program_sha256 = sha256;
        program = null;
    }
}
