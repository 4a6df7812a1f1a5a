package dev.sandboxrun.cli.nativelib;

import com.sun.jna.Native;

/**
 * A run's {@code cancel_fd}: a pipe whose read end the library watches; {@link #cancel()} makes it
 * readable and the run stops (verdict LaunchError). Close it after the run.
 */
public final class Cancellation implements AutoCloseable {
    private static final int O_CLOEXEC = 02000000;
    private final int readFd;
    private final int writeFd;
    private volatile boolean cancelled;
    private boolean closed;

    private Cancellation(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    public static Cancellation open() throws NativeUnavailableException {
        LibSandboxRun.get();
        int[] fds = new int[2];
        if (Libc.INSTANCE.pipe2(fds, O_CLOEXEC) != 0) {
            throw new IllegalStateException("pipe2: " + Libc.INSTANCE.strerror(Native.getLastError()));
        }
        return new Cancellation(fds[0], fds[1]);
    }

    /** The descriptor for {@link LibSandboxRun.Request#cancelFd()}. */
    public int fd() {
        return readFd;
    }

    public synchronized void cancel() {
        if (!closed && !cancelled) {
            cancelled = true;
            Libc.INSTANCE.write(writeFd, new byte[]{1}, 1);
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.INSTANCE.close(readFd);
            Libc.INSTANCE.close(writeFd);
        }
    }
}
