package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spec.program in parts, as SpecValidation (the CRD's schema and CEL rules) sees it. */
class ProgramSpecValidationTest {
    private static final String SHA = "ab".repeat(32);

    private static List<String> problems(ProgramSource p) {
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(p);
        return SpecValidation.problems(spec);
    }

    @Test
    void partsWithTheirDigestPass() {
        assertEquals(List.of(), problems(ProgramLayout.source(SHA, 3)));
        ProgramSource secrets = ProgramSource.parts(SHA, List.of(PartRef.secret("s0", "part"), PartRef.configMap("c1", "k")));
        assertEquals(List.of(), problems(secrets));
    }

    @Test
    void partsWithoutDigestAreRefused() {
        ProgramSource p = ProgramLayout.source(SHA, 2);
        p.setSha256(null);
        assertEquals(List.of("spec.program: program.parts needs program.sha256, the SHA-256 of the whole program"),
                problems(p));
    }

    @Test
    void aDigestMustBe64LowerCaseHex() {
        ProgramSource p = ProgramLayout.source(SHA, 1);
        p.setSha256(SHA.toUpperCase());
        List<String> out = problems(p);
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("spec.program.sha256: Invalid value"), out.get(0));
    }

    @Test
    void partsAndAnotherSourceAreRefused() {
        ProgramSource p = ProgramLayout.source(SHA, 1);
        p.setConfigMap(new KeyRef("x", "y"));
        assertEquals(List.of("spec.program: program needs exactly one source: configMap, secret, image or parts"),
                problems(p));
        assertEquals(List.of("spec.program: program needs exactly one source: configMap, secret, image or parts"),
                problems(new ProgramSource()));
    }

    @Test
    void moreThan86PartsOrNoneAreRefused() {
        List<PartRef> many = new ArrayList<>();
        for (int i = 0; i <= ProgramLayout.MAX_PARTS; i++) {
            many.add(PartRef.configMap("p" + i, "part"));
        }
        assertEquals(List.of("spec.program.parts: must have at most 86 items (has 87)"),
                problems(ProgramSource.parts(SHA, many)));
        assertEquals(List.of("spec.program.parts: must have at least 1 items"),
                problems(ProgramSource.parts(SHA, List.of())));
    }

    @Test
    void eachPartIsOneKeyOfAValidName() {
        PartRef both = PartRef.configMap("a", "part");
        both.setSecret(new KeyRef("b", "part"));
        List<String> out = problems(ProgramSource.parts(SHA, List.of(both, PartRef.configMap("Bad_Name", "part"))));
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.contains("spec.program.parts[0]: a program part is exactly one of configMap or secret"), out.toString());
        assertTrue(out.stream().anyMatch(s -> s.startsWith("spec.program.parts[1].configMap.name: Invalid value")), out.toString());
    }

    @Test
    void aDigestBesideASingleSourceIsOptional() {
        ProgramSource p = ProgramSource.configMap("bin", "prog");
        assertEquals(List.of(), problems(p));
        p.setSha256(SHA);
        assertEquals(List.of(), problems(p));
    }

    @Test
    void launcherCommandTakesPartsAndDigest() {
        SandboxRunSpec s = new SandboxRunSpec();
        s.setProgram(ProgramLayout.source(SHA, 2));
        EffectiveLimits lim = EffectiveLimits.resolve(s, EffectiveLimits.Defaults.CONTRACT);
        assertEquals(List.of("x", "--profile=compute", "--cpu-ms=10000", "--wall-ms=21000", "--memory=268435456",
                        "--stdout-max=1048576", "--stdin=/in", "--program-part=/p/part-0", "--program-part=/p/part-1",
                        "--program-sha256=" + SHA, "--result=/r", "--", "/p/program", "a"),
                LauncherCommand.argv("x", lim, new LauncherCommand.Program("/p/program", List.of("/p/part-0", "/p/part-1"),
                        SHA), List.of("a"), "/in", "/r"));
        assertEquals(List.of("x", "--profile=compute", "--cpu-ms=10000", "--wall-ms=21000", "--memory=268435456",
                        "--stdout-max=1048576", "--program-sha256=" + SHA, "--", "/img/prog"),
                LauncherCommand.argv("x", lim, new LauncherCommand.Program("/img/prog", List.of(), SHA), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LauncherCommand.Program("/p/program", List.of("/p/part-0"), null));
    }
}
