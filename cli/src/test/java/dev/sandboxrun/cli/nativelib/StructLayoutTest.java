package dev.sandboxrun.cli.nativelib;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The JNA structures against the header as gcc lays it out; launcher options against sr_config. */
class StructLayoutTest {
    private static final Path HEADER = Path.of(System.getProperty("sandboxrun.repo", "..")).toAbsolutePath()
            .normalize().resolve("native/include");

    static final class Config extends SrConfig {
        int offset(String f) {
            return fieldOffset(f);
        }

        List<String> fields() {
            return getFieldOrder();
        }
    }

    static final class Result extends SrResult {
        int offset(String f) {
            return fieldOffset(f);
        }

        List<String> fields() {
            return getFieldOrder();
        }
    }

    @Test
    void offsetsAndSizesMatchTheHeader(@TempDir Path tmp) throws Exception {
        Config c = new Config();
        Result r = new Result();
        StringBuilder src = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"sandboxrun.h\"\nint main(void){\n");
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (String f : c.fields()) {
            src.append("printf(\"sr_config.").append(f).append(" %zu\\n\", offsetof(sr_config, ").append(f).append("));\n");
            expected.put("sr_config." + f, c.offset(f));
        }
        for (String f : r.fields()) {
            src.append("printf(\"sr_result.").append(f).append(" %zu\\n\", offsetof(sr_result, ").append(f).append("));\n");
            expected.put("sr_result." + f, r.offset(f));
        }
        src.append("printf(\"sizeof.sr_config %zu\\n\", sizeof(sr_config));\nprintf(\"sizeof.sr_result %zu\\n\", sizeof(sr_result));\nreturn 0;}\n");
        expected.put("sizeof.sr_config", c.size());
        expected.put("sizeof.sr_result", r.size());
        Path file = tmp.resolve("layout.c");
        Files.writeString(file, src);
        Path exe = tmp.resolve("layout");
        Process cc = new ProcessBuilder("gcc", "-I" + HEADER, "-o", exe.toString(), file.toString())
                .redirectErrorStream(true).start();
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), log);
        Process run = new ProcessBuilder(exe.toString()).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor());
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] p = line.split(" ");
            actual.put(p[0], Integer.parseInt(p[1]));
        }
        assertEquals(actual, expected);
    }

    @Test
    void launcherOptionsFillEveryConfigField() {
        EffectiveLimits l = new EffectiveLimits(Profile.THREADS, 1500, 4000, 64L << 20, 12345, 1000);
        SrConfig cfg = new SrConfig();
        LibSandboxRun.configure(cfg, LauncherCommand.options(l, "/tmp/in", null));
        assertEquals(2, cfg.profile);
        assertEquals(1500, cfg.cpu_ms);
        assertEquals(4000, cfg.wall_ms);
        assertEquals(64L << 20, cfg.memory_bytes);
        assertEquals(12345, cfg.stdout_max);
        assertEquals("/tmp/in", cfg.stdin_path);
        // An option the binding does not know (e.g. --result, which local runs never pass) is an error.
        assertThrows(IllegalArgumentException.class,
                () -> LibSandboxRun.configure(new SrConfig(), List.of("--result=/tmp/r.json")));
    }
}
