package dev.sandboxrun.cli.nativelib;

import com.sun.jna.NativeLibrary;

/**
 * The C interface of libsandboxrun ({@code native/include/sandboxrun.h}), bound by JNA direct
 * mapping (no proxy, no reflection per call). {@link LibSandboxRun} registers it once.
 */
final class SandboxRunNative {
    private SandboxRunNative() {
    }

    static void register(NativeLibrary lib) {
        com.sun.jna.Native.register(SandboxRunNative.class, lib);
    }

    static native void sr_config_defaults(SrConfig cfg);

    static native int sr_check_program(String path, byte[] msg, long msglen);

    static native int sr_run(SrConfig cfg, SrResult out);

    static native long sr_result_json(SrResult r, byte[] buf, long cap);

    static native String sr_verdict_name(int verdict);

    static native String sr_profile_name(int profile);
}
