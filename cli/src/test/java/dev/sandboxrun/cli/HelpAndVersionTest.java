package dev.sandboxrun.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every verb answers -h and --help; --version is the build's version; the exit codes are in the help. */
class HelpAndVersionTest {
    @ParameterizedTest
    @ValueSource(strings = {"run", "exec", "submit", "logs", "get", "doctor"})
    void everyVerbAnswersHelp(String verb) {
        for (String flag : new String[]{"-h", "--help"}) {
            Cli c = Cli.run(verb, flag);
            assertEquals(0, c.rc(), verb + " " + flag + ": " + c.stderr());
            assertTrue(c.out().startsWith("Usage: sandboxrun " + verb), c.out());
        }
    }

    @Test
    void versionIsTheBuildsVersion() {
        String expected = System.getProperty("sandboxrun.version");
        Cli c = Cli.run("--version");
        assertEquals(0, c.rc(), c.stderr());
        assertTrue(expected != null && !expected.isBlank(), "the build passes sandboxrun.version");
        assertEquals("sandboxrun " + expected + "\n", c.out());
    }

    @Test
    void docsCliMdHasTheSameExitCodeTable() throws Exception {
        String doc = java.nio.file.Files.readString(Cli.REPO.resolve("docs/cli.md"));
        for (String line : ExitCodes.HELP.split("%n")) {
            assertTrue(doc.contains("\n" + line + "\n"), "docs/cli.md lacks the line:\n" + line);
        }
    }

    @Test
    void exitCodesAreInTheHelpOfTheCommandsThatUseThem() {
        for (String verb : new String[]{"exec", "run", "submit"}) {
            String help = Cli.run(verb, "--help").out();
            assertTrue(help.contains("Exit codes:"), help);
            assertTrue(help.contains(" 70  a bug in sandboxrun"), help);
            assertTrue(help.contains("141  stdout's reader went away"), help);
            assertTrue(help.contains(" 19  ./sandboxrun could not build the CLI"), help);
        }
    }
}
