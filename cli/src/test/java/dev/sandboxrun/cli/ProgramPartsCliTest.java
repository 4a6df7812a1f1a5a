package dev.sandboxrun.cli;

import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StdoutLayout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs over one part (768 KiB): `submit` uploads them content-addressed (and not twice), and
 * `run -f` assembles parts given as ConfigMaps in a folder and checks their digest itself.
 */
@EnableKubernetesMockClient(crud = true)
class ProgramPartsCliTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static Path cpp;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        count();
        Cli.buildExamples();
        cpp = Path.of("target", "test-programs", "hello-cpp").toAbsolutePath();
        Files.createDirectories(cpp.getParent());
        Path src = cpp.resolveSibling("hello-cpp.cpp");
        Files.writeString(src, """
                #include <iostream>
                #include <map>
                #include <string>
                int main(int argc, char **argv) {
                    std::map<std::string, int> words;
                    for (int i = 1; i < argc; i++) words[argv[i]]++;
                    std::cout << "hello from C++: " << words.size() << " distinct words\\n";
                    return 0;
                }
                """);
        Process p = new ProcessBuilder("g++", "-static", "-O2", "-o", cpp.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "g++ -static -O2 failed:\n" + log);
    }

    private static Cli cli(String... args) {
        return Cli.run(() -> server.createClient(), args);
    }

    /** One request as the API server got it: its method and the bytes of its body. */
    record Seen(String method, long bodyBytes) {
    }

    static final List<Seen> SEEN = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** Wraps the mock's dispatcher to see each request's body before the mock consumes it. */
    static void count() throws Exception {
        var f = io.fabric8.mockwebserver.DefaultMockServer.class.getDeclaredField("server");
        f.setAccessible(true);
        var web = (io.fabric8.mockwebserver.MockWebServer) f.get(server);
        var d = io.fabric8.mockwebserver.MockWebServer.class.getDeclaredField("dispatcher");
        d.setAccessible(true);
        var inner = (io.fabric8.mockwebserver.http.Dispatcher) d.get(web);
        web.setDispatcher(new io.fabric8.mockwebserver.http.Dispatcher() {
            @Override
            public io.fabric8.mockwebserver.http.MockResponse dispatch(RecordedRequest r) {
                SEEN.add(new Seen(r.method().name(), r.getBody() == null ? 0 : r.getBody().size()));
                return inner.dispatch(r);
            }
        });
    }

    /** Requests since the last call. */
    private static List<Seen> drain() {
        synchronized (SEEN) {
            List<Seen> out = List.copyOf(SEEN);
            SEEN.clear();
            return out;
        }
    }

    private static long bodyBytes(List<Seen> rs) {
        return rs.stream().mapToLong(Seen::bodyBytes).sum();
    }

    private static Map<String, Integer> byVerb(List<Seen> rs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        rs.forEach(r -> m.merge(r.method(), 1, Integer::sum));
        return m;
    }

    @Test
    void submitUploadsABigProgramOnceInContentAddressedParts() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        assertTrue(program.length > 1024 * 1024, "C++ hello is " + program.length + " bytes");
        String sha = StdoutLayout.sha256(program);
        int parts = ProgramLayout.split(program).size();
        drain();
        Cli c = cli("submit", "--name", "big1", "-n", "up", cpp.toString(), "--", "x");
        assertEquals(0, c.rc(), c.stderr());
        List<Seen> first = drain();
        assertTrue(c.stderr().contains("program " + sha + ": " + parts + " parts, " + parts + " uploaded"), c.stderr());
        SandboxRun run = client.resources(SandboxRun.class).inNamespace("up").withName("big1").get();
        assertEquals(sha, run.getSpec().getProgram().getSha256());
        assertEquals(ProgramLayout.source(sha, parts).getParts().stream().map(r -> r.getConfigMap().getName()).toList(),
                run.getSpec().getProgram().getParts().stream().map(r -> r.getConfigMap().getName()).toList());
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (int i = 0; i < parts; i++) {
            ConfigMap cm = client.configMaps().inNamespace("up").withName(ProgramLayout.partName(sha, i)).get();
            whole.writeBytes(Base64.getDecoder().decode(cm.getBinaryData().get("part")));
            assertEquals(String.valueOf(i), cm.getMetadata().getLabels().get(ProgramLayout.LABEL_PART));
            assertEquals(sha, cm.getMetadata().getAnnotations().get(ProgramLayout.ANNOTATION_PROGRAM_SHA256));
            assertEquals(run.getMetadata().getUid(), cm.getMetadata().getOwnerReferences().get(0).getUid());
            assertNull(cm.getMetadata().getOwnerReferences().get(0).getController());
        }
        assertArrayEquals(program, whole.toByteArray());

        drain();   // the test's own reads
        Cli again = cli("submit", "--name", "big2", "-n", "up", cpp.toString());
        assertEquals(0, again.rc(), again.stderr());
        List<Seen> second = drain();
        assertTrue(again.stderr().contains(parts + " parts, 0 uploaded (0 bytes), " + parts + " already in the namespace"),
                again.stderr());
        // The first: the run, a GET and a POST per part. The second: the run and a GET per part.
        assertEquals(parts + 1, byVerb(first).get("POST"), byVerb(first).toString());
        assertEquals(1, byVerb(second).get("POST"), byVerb(second).toString());
        assertEquals(parts, byVerb(first).get("GET"), byVerb(first).toString());
        assertEquals(parts, byVerb(second).get("GET"), byVerb(second).toString());
        long sent1 = bodyBytes(first);
        long sent2 = bodyBytes(second);
        assertTrue(sent1 > program.length * 4L / 3 && sent1 < program.length * 4L / 3 + 16 * 1024, "first " + sent1);
        assertTrue(sent2 < 4096, "second " + sent2);
        System.out.printf("submit of %d bytes in %d parts: %s requests, %d request-body bytes; again: %s, %d bytes%n",
                program.length, parts, byVerb(first), sent1, byVerb(second), sent2);
    }

    @Test
    void submitRefusesAPartOfTheSameNameWithOtherBytes() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        String sha = StdoutLayout.sha256(program);
        // Someone planted part 1 with the right claims and other bytes.
        byte[] other = ProgramLayout.split(program).get(1).clone();
        other[0] ^= 1;
        ConfigMap planted = ProgramLayout.partConfigMap("planted", sha, 1, 3, other);
        planted.getMetadata().getAnnotations().put(ProgramLayout.ANNOTATION_PART_SHA256,
                StdoutLayout.sha256(ProgramLayout.split(program).get(1)));
        client.resource(planted).create();
        Cli c = cli("submit", "--name", "p", "-n", "planted", cpp.toString());
        assertEquals(ExitCodes.CLUSTER, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("ConfigMap " + ProgramLayout.partName(sha, 1) + " exists but does not hold part 1"),
                c.stderr());
    }

    /** A folder with the run's YAML and its parts as ConfigMaps with local files, as a CI job would lay it out. */
    private Path folder(byte[] program, String claimedSha, int cut) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job"));
        int[] at = {0, cut, program.length};
        StringBuilder yaml = new StringBuilder();
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            Files.write(dir.resolve("part-" + i), Arrays.copyOfRange(program, at[i], at[i + 1]));
            yaml.append("""
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: prog-%d
                      annotations: {sandboxrun.dev/local-files: "part=part-%d"}
                    ---
                    """.formatted(i, i));
            parts.append("      - configMap: {name: prog-%d, key: part}\n".formatted(i));
        }
        yaml.append("""
                apiVersion: sandboxrun.dev/v1alpha1
                kind: SandboxRun
                metadata: {name: in-parts}
                spec:
                  args: [a, b, a]
                  program:
                    sha256: %s
                    parts:
                """.formatted(claimedSha)).append(parts);
        Files.writeString(dir.resolve("run.yaml"), yaml.toString());
        return dir;
    }

    @Test
    void localRunAssemblesThePartsAndShowsTheDigest() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        String sha = StdoutLayout.sha256(program);
        Cli c = Cli.run("run", "-f", folder(program, sha, 1_000_001).toString(), "-o", "json");
        assertEquals(0, c.rc(), c.stderr());
        assertTrue(c.out().contains("\"programSha256\" : \"" + sha + "\"") || c.out().contains("\"programSha256\":\"" + sha + "\""),
                c.out());
        assertTrue(c.out().contains("hello from C++: 2 distinct words"), c.out());
    }

    @Test
    void localPartsThatDoNotMakeTheDigestAreALaunchErrorAndNothingRuns() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        String sha = StdoutLayout.sha256(program);
        String wrong = "0".repeat(64);
        Cli c = Cli.run("run", "-f", folder(program, wrong, 700_000).toString(), "-o", "none");
        assertEquals(ExitCodes.LAUNCH_ERROR, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("SHA-256 mismatch: the program's bytes have " + sha + ", spec.program.sha256 is "
                + wrong + "; nothing ran"), c.stderr());
        assertEquals(0, c.stdout().length);
    }

    @Test
    void aMissingLocalPartIsProgramNotFoundNamingIt() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        Path dir = folder(program, StdoutLayout.sha256(program), 500_000);
        Files.delete(dir.resolve("part-1"));
        Cli c = Cli.run("run", "-f", dir.toString(), "-o", "none");
        assertEquals(ExitCodes.PROGRAM_NOT_FOUND, c.rc(), c.stderr());
        assertTrue(c.stderr().contains("program.parts[1]: configMap prog-1 key part comes from the local file"), c.stderr());
    }

    @Test
    void theUploadScriptWritesTheLayoutOfTheApi() throws Exception {
        byte[] program = Files.readAllBytes(cpp);
        String sha = StdoutLayout.sha256(program);
        Process p = new ProcessBuilder(Cli.REPO.resolve("scripts/program-parts").toString(), cpp.toString(), "by-script")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] yaml = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        Path f = tmp.resolve("parts.yaml");
        Files.write(f, yaml);
        var m = dev.sandboxrun.cli.local.Manifests.read(List.of(f));
        List<byte[]> parts = ProgramLayout.split(program);
        for (int i = 0; i < parts.size(); i++) {
            ConfigMap want = ProgramLayout.partConfigMap(null, sha, i, parts.size(), parts.get(i));
            ConfigMap got = (ConfigMap) m.find(ConfigMap.class, "default", ProgramLayout.partName(sha, i)).resource();
            assertEquals(want.getMetadata().getLabels(), got.getMetadata().getLabels());
            assertEquals(want.getMetadata().getAnnotations(), got.getMetadata().getAnnotations());
            assertEquals(want.getBinaryData(), got.getBinaryData());
            assertEquals(want.getImmutable(), got.getImmutable());
        }
        SandboxRun run = (SandboxRun) m.runs().get(0).resource();
        assertEquals(sha, run.getSpec().getProgram().getSha256());
        assertEquals(ProgramLayout.source(sha, parts.size()).getParts().stream().map(r -> r.getConfigMap().getName()).toList(),
                run.getSpec().getProgram().getParts().stream().map(r -> r.getConfigMap().getName()).toList());
    }
}
