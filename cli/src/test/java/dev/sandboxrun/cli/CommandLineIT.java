package dev.sandboxrun.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged CLI through ./sandboxrun and ./kubectl-sandboxrun, from bash, as a user runs it. */
class CommandLineIT {
    private static final String SORT = "examples/sort/sort";

    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    @Test
    void pipedStdinIsTheProgramsStdin() throws Exception {
        Shell s = Shell.run("printf 'b\\na\\n' | ./sandboxrun exec " + SORT);
        assertEquals(0, s.rc(), s.toString());
        assertEquals("a\nb\n", s.out());

        s = Shell.run("printf 'd\\nc\\n' | ./sandboxrun exec --stdin - " + SORT);
        assertEquals("c\nd\n", s.out(), s.toString());

        s = Shell.run("./sandboxrun exec --stdin <(printf 'f\\ne\\n') " + SORT);
        assertEquals("e\nf\n", s.out(), s.toString());

        s = Shell.run("f=$(mktemp); printf 'h\\ng\\n' > $f; ./sandboxrun exec " + SORT + " < $f; rc=$?; rm -f $f; exit $rc");
        assertEquals("g\nh\n", s.out(), s.toString());

        s = Shell.run("./sandboxrun exec " + SORT + " </dev/null");
        assertEquals(0, s.rc(), s.toString());
        assertEquals("", s.out());
    }

    @Test
    void aClosedPipeStopsTheProgramQuietly() throws Exception {
        for (String o : new String[]{"", "-o json "}) {
            Shell s = Shell.run("./sandboxrun exec " + o + "examples/primes/primes 100000000 2>err.tmp | head -2;"
                    + " rc=${PIPESTATUS[0]}; cat err.tmp >&2; rm -f err.tmp; exit $rc");
            assertEquals(ExitCodes.BROKEN_PIPE, s.rc(), s.toString());
            assertEquals("2\n3\n", s.out());
            assertEquals("", s.err(), "nothing to say when the reader goes away");
        }
    }

    @Test
    void asAKubectlPluginTheUsageSaysKubectlSandboxrun() throws Exception {
        Shell s = Shell.run("./kubectl-sandboxrun submit --help");
        assertEquals(0, s.rc(), s.toString());
        assertTrue(s.out().startsWith("Usage: kubectl sandboxrun submit"), s.out());
        assertTrue(s.out().contains("--kubeconfig=FILE") && s.out().contains("--context=NAME")
                && s.out().contains("-n, --namespace=NAMESPACE"), s.out());

        s = Shell.run("./sandboxrun --help");
        assertTrue(s.out().startsWith("Usage: sandboxrun "), s.out());
    }

    @Test
    void versionAndHelpThroughTheScript() throws Exception {
        Shell s = Shell.run("./sandboxrun --version");
        assertEquals(0, s.rc(), s.toString());
        assertEquals("sandboxrun " + System.getProperty("sandboxrun.version") + "\n", s.out());
        for (String verb : new String[]{"run", "exec", "doctor"}) {
            s = Shell.run("./sandboxrun " + verb + " -h");
            assertEquals(0, s.rc(), s.toString());
            assertFalse(s.err().contains("Unknown option"), s.err());
        }
    }
}
