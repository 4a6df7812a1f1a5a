package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@code sr_config} of {@code native/include/sandboxrun.h}, field for field (x86-64 LP64: the
 * {@code uint64_t} fields are {@code long}, pointers are {@link Pointer} or {@link String}).
 * {@code StructLayoutTest} compares its offsets with the header as gcc lays it out.
 */
@Structure.FieldOrder({"profile", "cpu_ms", "wall_ms", "memory_bytes", "stdout_max", "program", "argv",
        "stdin_path", "sandbox_uid", "sandbox_gid", "on_stdout", "on_stdout_ctx", "cancel_fd"})
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

    public SrConfig() {
        super();
    }
}
