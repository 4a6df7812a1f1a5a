package dev.sandboxrun.cli.nativelib;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.cli.Cli;
import com.sun.jna.StringArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /** A program in two parts, with its digest, through sr_run: it runs from the memfd, or not at all. */
    @Test
    void partsAndDigestThroughSrRun(@TempDir Path tmp) throws Exception {
        Cli.buildExamples();
        LibSandboxRun.get();                       // registers the native methods
        byte[] hello = Files.readAllBytes(Cli.EXAMPLES.resolve("hello/hello"));
        Path a = Files.write(tmp.resolve("part-0"), Arrays.copyOfRange(hello, 0, hello.length / 2));
        Path b = Files.write(tmp.resolve("part-1"), Arrays.copyOfRange(hello, hello.length / 2, hello.length));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(hello));
        StringArray argv = new StringArray(new String[] {"hello"});

        SrConfig cfg = new SrConfig();
        SandboxRunNative.sr_config_defaults(cfg);
        cfg.read();
        assertNull(cfg.program_parts, "defaults: no parts");
        assertNull(cfg.program_sha256, "defaults: no digest");
        cfg.argv = argv;
        cfg.programParts(List.of(a.toString(), b.toString()), sha);
        SrResult r = new SrResult();
        assertEquals(0, SandboxRunNative.sr_run(cfg, r), r.message());
        assertEquals(0, r.verdict, r.message());
        assertEquals(sha, r.programSha256());

        String wrong = (sha.charAt(0) == '0' ? "1" : "0") + sha.substring(1);
        cfg.programParts(List.of(a.toString(), b.toString()), wrong);
        r = new SrResult();
        assertEquals(1, SandboxRunNative.sr_run(cfg, r), r.message());
        assertEquals(8, r.verdict, "LaunchError");
        assertTrue(r.message().contains("expected " + wrong) && r.message().contains("got " + sha), r.message());
        assertNull(r.programSha256(), "nothing ran");
        java.lang.ref.Reference.reachabilityFence(argv);
    }
}
