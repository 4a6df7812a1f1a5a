package dev.sandboxrun.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's memory, the ceiling of a local run's memory limit. */
public final class MachineMemory {
    private MachineMemory() {
    }

    /** MemTotal of /proc/meminfo in bytes; 0 when it cannot be read (then no ceiling is applied). */
    public static long totalBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;   // "MemTotal:  24576000 kB"
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
