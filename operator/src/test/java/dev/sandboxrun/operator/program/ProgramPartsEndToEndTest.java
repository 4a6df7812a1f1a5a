package dev.sandboxrun.operator.program;

import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramUpload;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.node.SimulatedNode;
import dev.sandboxrun.operator.node.TestPrograms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A C++ program of 2.2 MB, more than a ConfigMap holds, uploaded in the layout and run from its
 * parts by the REAL launcher on the simulated node. Needs the launcher's --program-part and
 * --program-sha256: with a launcher that lacks them these tests FAIL (never skip), saying so.
 */
@EnableKubernetesMockClient(crud = true)
class ProgramPartsEndToEndTest {
    static final String NS = "parts-e2e";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static PlainOperator operator;
    final Runs runs = new Runs(client, NS);

    @BeforeAll
    static void setUp() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().load(
                java.nio.file.Path.of(System.getProperty("sandboxrun-test.crds", "../crds"),
                        "sandboxruns.sandboxrun.dev-v1.yml").toFile()).createOr(o -> o.update());
        node = new SimulatedNode(client, server).start();
        operator = PlainOperator.start(client, Map.of(), 2);
    }

    @AfterAll
    static void tearDown() {
        if (operator != null) {
            operator.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** The launcher in this build must know the options; a clear failure when it does not. */
    static void launcherTakesParts() throws Exception {
        Process p = new ProcessBuilder(TestPrograms.launcher().toString(), "--help").redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertTrue(help.contains("--program-part") && help.contains("--program-sha256"),
                "the launcher " + TestPrograms.launcher() + " lacks --program-part/--program-sha256 (merge the"
                        + " launcher's branch first); its --help says:\n" + help);
    }

    /**
     * What `kubectl sandboxrun submit` does with a program over one part: the run, then its parts
     * through the CLI's own uploader (ProgramUpload).
     */
    SandboxRun submit(String name, byte[] program, String claimedSha256, List<String> args) {
        String sha = StdoutLayout.sha256(program);
        List<byte[]> parts = ProgramLayout.split(program);
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProgram(ProgramLayout.source(sha, parts.size()));
        spec.getProgram().setSha256(claimedSha256);
        spec.setArgs(args);
        SandboxRun run = runs.apply(name, spec);
        ProgramUpload.Result up = ProgramUpload.upload(client, run, sha, parts);
        assertEquals(parts.size(), up.parts());
        return run;
    }

    @Test
    void aCppProgramOverOneMiBRunsFromItsPartsWithItsDigestInStatus() throws Exception {
        launcherTakesParts();
        byte[] program = Files.readAllBytes(TestPrograms.cpp("hello-cpp"));
        assertTrue(program.length > 1024 * 1024, "the C++ program is " + program.length + " bytes");
        String sha = StdoutLayout.sha256(program);
        submit("cpp", program, sha, List.of("a", "b", "a"));
        SandboxRunStatus s = runs.awaitFinished("cpp", Duration.ofSeconds(90));
        assertEquals(Verdict.Completed, s.getVerdict(), s.getMessage());
        assertEquals("hello from C++: 2 distinct words\n", new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertEquals(sha, s.getProgramSha256());
    }

    @Test
    void partsThatDoNotMakeTheDigestAreALaunchErrorAndNothingRuns() throws Exception {
        launcherTakesParts();
        byte[] program = Files.readAllBytes(TestPrograms.cpp("hello-cpp"));
        // Claim another digest for the same parts: the launcher must refuse to run them.
        byte[] other = program.clone();
        other[other.length - 1] ^= 1;
        String wrong = StdoutLayout.sha256(other);
        submit("cpp-wrong", program, wrong, List.of());
        SandboxRunStatus s = runs.awaitFinished("cpp-wrong", Duration.ofSeconds(90));
        assertEquals(Verdict.LaunchError, s.getVerdict(), s.getMessage());
        assertTrue(s.getMessage().contains(wrong) || s.getMessage().toLowerCase().contains("sha-256")
                || s.getMessage().toLowerCase().contains("sha256"), s.getMessage());
        assertTrue(s.getStdout() == null || s.getStdout().getBytes() == null || s.getStdout().getBytes() == 0);
    }
}
