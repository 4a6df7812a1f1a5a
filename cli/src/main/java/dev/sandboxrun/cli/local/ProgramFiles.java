package dev.sandboxrun.cli.local;

import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What is wrong with a program before the launcher looks at it, in the words a user needs: a
 * folder, a device, source code, a script. The launcher's own check (static, x86-64, executable)
 * follows for what passes.
 */
public final class ProgramFiles {
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    private ProgramFiles() {
    }

    /** Throws a one-line bad-input error when {@code p} cannot be a program. */
    public static void checkProgram(Path p, String shown) {
        if (!Files.exists(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, shown + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, shown + ": is a directory, not a program");
        }
        if (!Files.isRegularFile(p)) {
            throw new CliException(ExitCodes.BAD_INPUT, shown + ": is not a regular file (a device, a FIFO?): "
                    + "the program must be a statically linked executable file");
        }
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, shown + ": cannot be read: " + e.getMessage());
        }
        String why = notElf(Arrays.copyOf(head, n), p.getFileName().toString());
        if (why != null) {
            throw new CliException(ExitCodes.BAD_INPUT, shown + ": " + why);
        }
    }

    /** Why these first bytes are not an executable, with what to do; null when they start an ELF file. */
    public static String notElf(byte[] head, String fileName) {
        if (head.length >= 4 && Arrays.equals(Arrays.copyOf(head, 4), ELF)) {
            return null;
        }
        if (head.length == 0) {
            return "is empty, not a program";
        }
        String name = fileName.toLowerCase(Locale.ROOT);
        String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!name.contains(".")) {
            // No extension (a ConfigMap key, say): tell source code by how it starts.
            if (text.startsWith("#include") || text.startsWith("/*") || text.contains("int main(")) {
                name += ".c";
            } else if (text.startsWith("package ")) {
                name += ".go";
            } else if (text.startsWith("use ") || text.startsWith("fn main")) {
                name += ".rs";
            }
        }
        String base = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName + ".out";
        if (name.endsWith(".c")) {
            return "is C source, not a program: build it first, e.g. gcc -static -O2 -o " + base + " " + fileName;
        }
        if (name.endsWith(".cc") || name.endsWith(".cpp") || name.endsWith(".cxx")) {
            return "is C++ source, not a program: build it first, e.g. g++ -static -O2 -o " + base + " " + fileName;
        }
        if (name.endsWith(".rs")) {
            return "is Rust source, not a program: build it first, e.g. rustc -O -C target-feature=+crt-static " + fileName;
        }
        if (name.endsWith(".go")) {
            return "is Go source, not a program: build it first, e.g. CGO_ENABLED=0 go build -o " + base + " " + fileName
                    + " (and run it with --profile threads)";
        }
        if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
            return "is a script (#!), not a program: only statically linked ELF executables run in the sandbox"
                    + " (there is no interpreter inside it)";
        }
        return "is not an ELF executable: the sandbox runs statically linked x86-64 ELF programs"
                + " (gcc -static, musl-gcc -static, rustc -C target-feature=+crt-static, CGO_ENABLED=0 go build)";
    }
}
