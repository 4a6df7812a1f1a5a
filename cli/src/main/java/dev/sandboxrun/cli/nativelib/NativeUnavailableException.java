package dev.sandboxrun.cli.nativelib;

/** This machine cannot run sandboxes: another platform, a kernel without seccomp filters, no library. */
public class NativeUnavailableException extends Exception {
    public NativeUnavailableException(String message) {
        super(message);
    }

    public NativeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
