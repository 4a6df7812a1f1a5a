package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.LauncherResult;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * libsandboxrun through JNA: one instance per JVM, safe from many threads at once (the library
 * keeps per-run state only and spawns with clone(CLONE_VM) and raw system calls).
 *
 * <p>The library is the one inside the jar, under JNA's per-platform resource path
 * ({@code linux-x86-64/libsandboxrun.so}), extracted on first use; the system property
 * {@code sandboxrun.library} names another file (development, benchmarks).
 */
public final class LibSandboxRun {
    public static final String LIBRARY_PROPERTY = "sandboxrun.library";
    private static final int JSON_CAP = 4096;   // SR_RESULT_MAX

    private static final Object LOCK = new Object();
    private static volatile LibSandboxRun instance;
    private static NativeUnavailableException failure;

    private static final ConcurrentHashMap<Long, StdoutSink> SINKS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_SINK = new AtomicLong(1);
    /** One callback for every run (one native trampoline); ctx says which run's sink. */
    private static final SrStdoutFn ON_STDOUT = (ctx, data, len) -> {
        StdoutSink sink = SINKS.get(Pointer.nativeValue(ctx));
        return sink == null ? -1 : sink.accept(data, len);
    };

    private final String path;

    private LibSandboxRun(String path) {
        this.path = path;
    }

    /** The library, loaded once; a clear reason when this machine cannot run sandboxes. */
    public static LibSandboxRun get() throws NativeUnavailableException {
        LibSandboxRun lib = instance;
        if (lib != null) {
            return lib;
        }
        synchronized (LOCK) {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                instance = load();
                return instance;
            } catch (NativeUnavailableException e) {
                failure = e;
                throw e;
            }
        }
    }

    private static LibSandboxRun load() throws NativeUnavailableException {
        String why = Platforms.unsupportedReason();
        if (why != null) {
            throw new NativeUnavailableException(why);
        }
        try {
            why = Platforms.seccompUnavailableReason();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NativeUnavailableException("JNA cannot load its native part on this machine: " + e.getMessage(), e);
        }
        if (why != null) {
            throw new NativeUnavailableException(why);
        }
        String override = System.getProperty(LIBRARY_PROPERTY);
        File file;
        if (override != null && !override.isBlank()) {
            file = new File(override);
            if (!file.canRead()) {
                throw new NativeUnavailableException(LIBRARY_PROPERTY + "=" + override + ": no such readable file");
            }
        } else {
            try {
                // Only the bundled copy: never a libsandboxrun.so that happens to be on the system.
                file = Native.extractFromResourcePath("sandboxrun", LibSandboxRun.class.getClassLoader());
            } catch (IOException e) {
                throw new NativeUnavailableException("libsandboxrun.so is not in this jar under "
                        + Platforms.RESOURCE_PREFIX + "/ (was native/build/libsandboxrun.so built?): " + e.getMessage(), e);
            }
        }
        try {
            NativeLibrary lib = NativeLibrary.getInstance(file.getAbsolutePath());
            SandboxRunNative.register(lib);
        } catch (UnsatisfiedLinkError e) {
            throw new NativeUnavailableException("cannot load " + file + ": " + e.getMessage(), e);
        }
        return new LibSandboxRun(file.getAbsolutePath());
    }

    /** Where the library was loaded from. */
    public String path() {
        return path;
    }

    /** Null when the program can run here (a readable static ELF for this machine), else the launcher's advice. */
    public String checkProgram(Path program) {
        byte[] msg = new byte[512];
        int rc = SandboxRunNative.sr_check_program(program.toString(), msg, msg.length);
        return rc == 0 ? null : Native.toString(msg, StandardCharsets.UTF_8.name());
    }

    /**
     * What one run needs: the launcher's options exactly as {@link LauncherCommand#options} gives
     * them (the one description of the launcher's command line, shared with the operator's pod),
     * the program, its argv (argv[0] first) and an optional cancel descriptor (-1: none).
     */
    public record Request(List<String> launcherOptions, String program, List<String> argv, int cancelFd) {
        public Request {
            Objects.requireNonNull(program, "program");
            if (argv == null || argv.isEmpty()) {
                throw new IllegalArgumentException("argv needs at least argv[0]");
            }
            launcherOptions = List.copyOf(launcherOptions);
            argv = List.copyOf(argv);
        }

        /** The options LauncherCommand gives for these limits and stdin (no --result: the result comes back in memory). */
        public static Request of(EffectiveLimits limits, String program, List<String> argv, String stdinPath, int cancelFd) {
            return new Request(LauncherCommand.options(limits, stdinPath, null), program, argv, cancelFd);
        }
    }

    /**
     * Fills cfg from launcher options ({@code --profile=P --cpu-ms=N --wall-ms=N --memory=B
     * --stdout-max=B [--stdin=F]}); an option this binding does not know is an error, so a change of
     * the launcher's command line cannot pass unnoticed.
     */
    static void configure(SrConfig cfg, List<String> options) {
        for (String o : options) {
            int eq = o.indexOf('=');
            if (!o.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("launcher option without a value: " + o);
            }
            String name = o.substring(2, eq);
            String v = o.substring(eq + 1);
            switch (name) {
                case "profile" -> cfg.profile = switch (v) {
                    case "strict" -> 0;
                    case "compute" -> 1;
                    case "threads" -> 2;
                    default -> throw new IllegalArgumentException("unknown profile " + v);
                };
                case "cpu-ms" -> cfg.cpu_ms = Long.parseLong(v);
                case "wall-ms" -> cfg.wall_ms = Long.parseLong(v);
                case "memory" -> cfg.memory_bytes = Long.parseLong(v);
                case "stdout-max" -> cfg.stdout_max = Long.parseLong(v);
                case "stdin" -> cfg.stdin_path = v;
                default -> throw new IllegalArgumentException("launcher option " + o + " has no sr_config field");
            }
        }
    }

    /**
     * How a run ended.
     *
     * @param rc                 sr_run's return: 0 a verdict, 1 nothing ran (bad program, stdin,
     *                           limits), 2 the launcher failed
     * @param result             the launcher's result document, parsed
     * @param json               that document as the library wrote it
     * @param memoryEnforcement  how the memory limit was enforced
     * @param head               the first bytes of stdout (up to {@code headBytes})
     * @param stdoutVerified     the bytes the callback saw have the length and SHA-256 of the result
     * @param consumerError      why writing stdout failed (the run was stopped), or null
     */
    public record Outcome(int rc, LauncherResult result, String json, String memoryEnforcement, byte[] head,
                          boolean stdoutVerified, IOException consumerError) {
    }

    /**
     * Runs one program; its stdout goes to {@code stdout} as it comes (null: discarded, still
     * counted and hashed). Blocks until the verdict.
     */
    public Outcome run(Request req, OutputStream stdout, int headBytes) {
        SrConfig cfg = new SrConfig();
        SandboxRunNative.sr_config_defaults(cfg);   // uid/gid and anything the header adds later
        configure(cfg, req.launcherOptions());
        cfg.program = req.program();
        StringArray argv = new StringArray(req.argv().toArray(new String[0]), StandardCharsets.UTF_8.name());
        cfg.argv = argv;
        cfg.cancel_fd = req.cancelFd();

        StdoutSink sink = new StdoutSink(stdout, headBytes);
        long id = NEXT_SINK.getAndIncrement();
        SINKS.put(id, sink);
        cfg.on_stdout = ON_STDOUT;
        cfg.on_stdout_ctx = new Pointer(id);
        SrResult out = new SrResult();
        int rc;
        try {
            rc = SandboxRunNative.sr_run(cfg, out);
        } finally {
            SINKS.remove(id);
        }
        byte[] buf = new byte[JSON_CAP];
        SandboxRunNative.sr_result_json(out, buf, buf.length);
        String json = Native.toString(buf, StandardCharsets.UTF_8.name());
        LauncherResult result;
        try {
            result = ResultDocument.read(json);
        } catch (LauncherResult.InvalidResultException e) {
            throw new IllegalStateException("libsandboxrun wrote an invalid result (" + e.getMessage() + "): " + json, e);
        }
        // Keep the argv strings alive until the call is over (cfg holds only their address).
        java.lang.ref.Reference.reachabilityFence(argv);
        boolean verified = sink.count() == result.stdoutBytes() && sink.sha256().equals(result.stdoutSha256());
        return new Outcome(rc, result, json, out.memoryEnforcement(), sink.head(), verified, sink.error());
    }
}
