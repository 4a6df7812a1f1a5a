package dev.sandboxrun.cli.command;

import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.nativelib.Cancellation;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import dev.sandboxrun.cli.nativelib.NativeUnavailableException;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** The library for local runs, or a one-line reason why this machine cannot run sandboxes. */
final class Natives {
    private Natives() {
    }

    static LibSandboxRun library() {
        try {
            return LibSandboxRun.get();
        } catch (NativeUnavailableException e) {
            throw new CliException(ExitCodes.UNSUPPORTED, "cannot run sandboxes here: " + e.getMessage()
                    + " (`sandboxrun doctor` says more)");
        }
    }

    /**
     * Runs {@code body} with a cancel descriptor that Ctrl-C (JVM shutdown) triggers, so the
     * program is stopped and the temporary files removed before the JVM exits.
     */
    static <T> T cancellable(IntFunction<T> body) {
        Cancellation c;
        try {
            c = Cancellation.open();
        } catch (NativeUnavailableException e) {
            throw new CliException(ExitCodes.UNSUPPORTED, "cannot run sandboxes here: " + e.getMessage());
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            c.cancel();
            try {
                done.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "sandboxrun-cancel");
        boolean hooked = false;
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            hooked = true;
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        try {
            return body.apply(c.fd());
        } finally {
            done.countDown();
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down: the hook is running
                }
            }
            c.close();
        }
    }
}
