package dev.sandboxrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exec -o json|yaml: the SandboxRun with its status, the program's exit code a field. */
class ExecOutputTest {
    @BeforeAll
    static void build() throws Exception {
        Cli.buildExamples();
    }

    @Test
    void jsonAloneWithNoStdout() throws Exception {
        Cli c = Cli.run("exec", "-o", "json", "--no-stdout", Cli.EXAMPLES.resolve("primes/primes").toString(), "1");
        assertEquals(ExitCodes.NON_ZERO_EXIT, c.rc(), c.stderr());
        JsonNode doc = new ObjectMapper().readTree(c.out());
        assertEquals("NonZeroExit", doc.at("/status/verdict").asText());
        assertEquals(2, doc.at("/status/exitCode").asInt());
        assertEquals("Failed", doc.at("/status/phase").asText());
        assertTrue(doc.at("/status/stderrTail").asText().contains("usage: primes"), c.out());
    }

    @Test
    void yamlAfterTheProgramsStdout() throws Exception {
        Cli c = Cli.run("exec", "-o", "yaml", Cli.EXAMPLES.resolve("primes/primes").toString(), "10");
        assertEquals(0, c.rc(), c.stderr());
        assertTrue(c.out().startsWith("2\n3\n5\n7\n---\n"), c.out());
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(c.out().substring("2\n3\n5\n7\n".length()));
        assertEquals("Completed", doc.at("/status/verdict").asText());
        assertEquals(0, doc.at("/status/exitCode").asInt());
        assertEquals(8, doc.at("/status/stdout/bytes").asInt());
        assertEquals("10", doc.at("/spec/args/0").asText());
    }
}
