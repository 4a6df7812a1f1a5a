package dev.sandboxrun.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the local-files annotation may reach: the YAML's own folder and below. The CLI reads those
 * files with the user's rights (often root's), so a YAML from elsewhere must not name
 * {@code /etc/shadow} or {@code ../secret} without the user saying so.
 */
public final class LocalFiles {
    private LocalFiles() {
    }

    /** Null when {@code local} is inside the folder of {@code yaml}, else why not (a phrase). */
    public static String outsideReason(Path yaml, Path local) {
        Path base = yaml.toAbsolutePath().normalize().getParent();
        Path file = local.toAbsolutePath().normalize();
        if (!file.startsWith(base)) {
            return "which is outside that folder";
        }
        if (Files.exists(file)) {
            try {
                Path realBase = base.toRealPath();
                Path real = file.toRealPath();
                if (!real.startsWith(realBase)) {
                    return "a symbolic link to " + real + ", which is outside that folder";
                }
            } catch (IOException e) {
                return "which cannot be resolved (" + e.getMessage() + ")";
            }
        }
        return null;
    }
}
