package dev.sandboxrun.operator.program;

import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramUpload;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.PlainOperator;
import dev.sandboxrun.operator.Runs;
import dev.sandboxrun.operator.node.SimulatedNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C++, Rust and Go examples (each over 1 MiB, built by their Makefiles) on the simulated
 * cluster with the REAL launcher, delivered both ways an uploader can: through api's
 * ProgramUpload, as `kubectl sandboxrun submit` does, and as the YAML of examples/NAME-parts
 * applied as a GitOps tool would (scripts/program-parts' ConfigMaps with binaryData, then the
 * SandboxRun). Each must print its expected-stdout with the program's digest in the status.
 * Like native's RealSizeProgramsTest, an example whose compiler is absent is skipped, visibly.
 */
@EnableKubernetesMockClient(crud = true)
class ProgramPartsExamplesEndToEndTest {
    static final Path REPO = Paths.get("..").toAbsolutePath().normalize();
    static KubernetesMockServer server;
    static KubernetesClient client;
    static SimulatedNode node;
    static PlainOperator operator;

    @BeforeAll
    static void setUp() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().load(
                Paths.get(System.getProperty("sandboxrun-test.crds", "../crds"),
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

    /** make -C examples/NAME then make -C examples/NAME-parts: the program and its local parts.yaml. */
    static Path build(String name, String compiler) throws Exception {
        Assumptions.assumeTrue(onPath(compiler),
                "examples/" + name + " needs " + compiler + ", which is not installed here (scripts/setup installs it)");
        for (String dir : List.of(name, name + "-parts")) {
            Process p = new ProcessBuilder("make", "-s", "--no-print-directory", "-C", REPO.resolve("examples").resolve(dir).toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "make -C examples/" + dir + ":\n" + log);
        }
        Path exe = REPO.resolve("examples").resolve(name).resolve(name);
        assertTrue(Files.isRegularFile(exe), "examples/" + name + " was not built");
        assertTrue(Files.size(exe) > 1 << 20, exe + " is " + Files.size(exe) + " bytes: not over 1 MiB");
        return exe;
    }

    /** The YAML documents of this text, each as the class its kind names. */
    static List<HasMetadata> objects(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---$")) {
            if (doc.isBlank()) {
                continue;
            }
            Class<? extends HasMetadata> type = doc.contains("\nkind: ConfigMap\n") || doc.startsWith("kind: ConfigMap\n")
                    ? ConfigMap.class : SandboxRun.class;
            out.add(client.getKubernetesSerialization().unmarshal(doc, type));
        }
        return out;
    }

    static SandboxRun run(List<HasMetadata> objects) {
        List<SandboxRun> runs = objects.stream().filter(o -> o instanceof SandboxRun).map(o -> (SandboxRun) o).toList();
        assertEquals(1, runs.size(), "one SandboxRun in " + objects);
        return runs.get(0);
    }

    @ParameterizedTest(name = "{0} through {3}")
    @CsvSource({
            "cpp-hello, g++, compute, submit", "cpp-hello, g++, compute, yaml",
            "rust-hello, rustc, compute, submit", "rust-hello, rustc, compute, yaml",
            "go-hello, go, threads, submit", "go-hello, go, threads, yaml"})
    void anExampleOverOneMiBRunsFromItsPartsWithItsDigestInStatus(String name, String compiler, String profile,
                                                                String way) throws Exception {
        ProgramPartsEndToEndTest.launcherTakesParts();
        Path exe = build(name, compiler);
        byte[] program = Files.readAllBytes(exe);
        String sha = StdoutLayout.sha256(program);
        Path parts = REPO.resolve("examples").resolve(name + "-parts");
        String rest = Files.readString(parts.resolve("run.yaml.rest"));
        String ns = name + "-" + way;   // a namespace each: no part already there from the other way
        Runs runs = new Runs(client, ns);
        String runName = name + "-parts";

        // What the local parts.yaml of the example says, but for where the bytes are.
        SandboxRun local = run(objects(Files.readString(parts.resolve("parts.yaml"))));
        assertEquals(sha, local.getSpec().getProgram().getSha256());
        assertEquals(profile, local.getSpec().getProfile().flag(), "the profile of examples/" + name + "-parts");

        if (way.equals("submit")) {
            List<byte[]> split = ProgramLayout.split(program);
            assertTrue(split.size() >= 2, "in parts: " + split.size());
            SandboxRunSpec spec = local.getSpec();
            spec.setProgram(ProgramLayout.source(sha, split.size()));
            SandboxRun run = runs.apply(runName, spec);
            assertEquals(split.size(), ProgramUpload.upload(client, run, sha, split).parts());
        } else {
            // scripts/program-parts PROGRAM RUN, then the example's rest of the spec: the YAML a
            // CI job commits, applied object by object (ConfigMaps first, as written).
            Process p = new ProcessBuilder(REPO.resolve("scripts").resolve("program-parts").toString(),
                    exe.toString(), runName).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "scripts/program-parts failed");
            List<HasMetadata> objects = objects(yaml + rest);
            assertEquals(client.getKubernetesSerialization().asYaml(local.getSpec()),
                    client.getKubernetesSerialization().asYaml(run(objects).getSpec()),
                    "the cluster YAML runs what parts.yaml runs");
            int configMaps = 0;
            for (HasMetadata o : objects) {
                o.getMetadata().setNamespace(ns);
                if (o instanceof ConfigMap cm) {
                    assertNotNull(cm.getBinaryData().get("part"), cm.getMetadata().getName());
                    configMaps++;
                }
                client.resource(o).create();
            }
            assertTrue(configMaps >= 2, "in parts: " + configMaps);
        }

        SandboxRunStatus s = runs.awaitFinished(runName, Duration.ofSeconds(120));
        Verdict verdict = Verdict.valueOf(Files.readString(parts.resolve("expected-verdict")).trim());
        assertEquals(verdict, s.getVerdict(), s.getMessage());
        assertEquals(Files.readString(parts.resolve("expected-stdout")),
                new String(runs.storedStdout(s), StandardCharsets.UTF_8));
        assertEquals(sha, s.getProgramSha256());
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
