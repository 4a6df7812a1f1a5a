package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code typedef int (*sr_stdout_fn)(void *ctx, const void *data, size_t len);} */
public interface SrStdoutFn extends Callback {
    /** @return 0 to go on, -1 to stop the run (verdict LaunchError: the consumer is gone) */
    int invoke(Pointer ctx, Pointer data, long len);
}
