package dev.sandboxrun.operatorimage;

import dev.sandboxrun.launcherimage.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the build wrote into target/: the OCI tarball, its digest, the properties. Read byte by byte. */
class ImageTarballTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> LAYERS = List.of("base", "glibc", "java-runtime", "dependencies", "application");
    static Path tarball;
    static Map<String, byte[]> files;
    static JsonNode index;
    static JsonNode manifest;
    static JsonNode config;
    /** Each layer's entries, by path without the leading "/" or "./". */
    static List<Map<String, Entry>> layers = new ArrayList<>();

    record Entry(TarArchiveEntry header, byte[] content) {
    }

    @BeforeAll
    static void read() throws Exception {
        tarball = Path.of(TestPaths.property("sandboxrun.image.tarball"));
        assertTrue(Files.isRegularFile(tarball), "the build (process-test-classes) should have written " + tarball);
        files = untar(Files.readAllBytes(tarball));
        index = JSON.readTree(files.get("index.json"));
        manifest = JSON.readTree(blob(index.at("/manifests/0/digest").asText()));
        config = JSON.readTree(blob(manifest.at("/config/digest").asText()));
        for (JsonNode layer : manifest.get("layers")) {
            assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layer.get("mediaType").asText());
            byte[] tar;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob(layer.get("digest").asText())))) {
                tar = in.readAllBytes();
            }
            assertEquals("sha256:" + sha256(tar), config.at("/rootfs/diff_ids/" + layers.size()).asText(),
                    "diff_id of layer " + layers.size());
            Map<String, Entry> entries = new LinkedHashMap<>();
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    entries.put(e.getName().replaceFirst("^\\.?/", "").replaceFirst("/$", ""),
                            new Entry(e, e.isFile() ? in.readAllBytes() : null));
                }
            }
            layers.add(entries);
        }
    }

    @Test
    void isAnOciLayoutWithOneImageNamedAsTheChartExpects() {
        assertEquals("{\"imageLayoutVersion\": \"1.0.0\"}", new String(files.get("oci-layout"), StandardCharsets.UTF_8));
        assertEquals(1, index.get("manifests").size());
        assertEquals("application/vnd.oci.image.manifest.v1+json", index.at("/manifests/0/mediaType").asText());
        assertEquals(TestPaths.property("sandboxrun.image.reference"),
                index.at("/manifests/0/annotations/org.opencontainers.image.ref.name").asText());
        assertEquals("ghcr.io/sandboxrun/operator:0.1.0", TestPaths.property("sandboxrun.image.reference"),
                "the chart's default operator image (values.yaml operator.image.repository, appVersion)");
    }

    @Test
    void everyBlobMatchesItsDigest() throws Exception {
        for (var e : files.entrySet()) {
            if (e.getKey().startsWith("blobs/sha256/")) {
                assertEquals(e.getKey().substring("blobs/sha256/".length()), sha256(e.getValue()), e.getKey());
            }
        }
    }

    @Test
    void configRunsQuarkusAs185FromScratch() {
        JsonNode c = config.get("config");
        assertEquals("185:185", c.get("User").asText());
        assertEquals(List.of("/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-jar", "/deployments/quarkus-run.jar"),
                strings(c.get("Entrypoint")));
        assertTrue(c.get("Cmd") == null || c.get("Cmd").isNull() || c.get("Cmd").isEmpty(), "no Cmd: " + c);
        assertEquals("/deployments", c.get("WorkingDir").asText());
        assertEquals(Set.of("8080/tcp"), fieldNames(c.get("ExposedPorts")));
        assertEquals(List.of("JAVA_HOME=/opt/java", "LANG=C.UTF-8"), strings(c.get("Env")));
        assertTrue(c.get("Volumes") == null || c.get("Volumes").isEmpty(), "no volumes (the chart mounts /tmp): " + c);
        assertEquals("1970-01-01T00:00:00Z", config.get("created").asText(), "a fixed creation time");
        assertEquals("linux", config.get("os").asText());
        assertEquals("amd64", config.get("architecture").asText());
        assertEquals(LAYERS.size(), manifest.get("layers").size(), "FROM scratch: " + LAYERS + " only");
        assertEquals(LAYERS.size(), config.at("/rootfs/diff_ids").size());
    }

    @Test
    void everyEntryIsRootOwnedWithAFixedTimeAndNothingIsWritableButTmp() {
        for (int i = 0; i < layers.size(); i++) {
            for (var e : layers.get(i).entrySet()) {
                TarArchiveEntry h = e.getValue().header();
                String where = LAYERS.get(i) + ": " + e.getKey();
                assertEquals(0, h.getLongUserId(), where);
                assertEquals(0, h.getLongGroupId(), where);
                assertEquals(1000L, h.getModTime().getTime(), where + ": a fixed modification time");
                assertTrue(h.isFile() || h.isDirectory(), where + ": files and directories only, no links");
                int mode = h.getMode() & 07777;
                if (e.getKey().equals("tmp")) {
                    assertEquals(0777, mode, where);
                } else {
                    assertTrue(mode == 0644 || mode == 0755, where + ": mode " + Integer.toOctalString(mode));
                }
            }
        }
    }

    @Test
    void baseLayerHoldsTheUserAndAnEmptyTmp() {
        Map<String, Entry> base = layer("base");
        assertEquals(new TreeSet<>(List.of("etc", "etc/group", "etc/nsswitch.conf", "etc/passwd", "tmp")),
                new TreeSet<>(base.keySet()));
        assertTrue(base.get("tmp").header().isDirectory());
        assertTrue(text(base.get("etc/passwd")).contains("sandboxrun:x:185:185:"), text(base.get("etc/passwd")));
        assertTrue(text(base.get("etc/group")).contains("sandboxrun:x:185:"), text(base.get("etc/group")));
    }

    @Test
    void glibcLayerHoldsTheLoaderAndTheLibrariesTheRuntimeLinks() throws Exception {
        Map<String, Entry> glibc = layer("glibc");
        Set<String> files = new TreeSet<>();
        glibc.forEach((k, v) -> {
            if (v.header().isFile()) {
                files.add(k.substring(k.lastIndexOf('/') + 1));
            }
        });
        assertTrue(glibc.containsKey("lib64/ld-linux-x86-64.so.2"), "the ELF interpreter of bin/java: " + glibc.keySet());
        for (String lib : List.of("libc.so.6", "libm.so.6", "libz.so.1", "libstdc++.so.6", "libgcc_s.so.1")) {
            assertTrue(files.contains(lib), lib + " in " + glibc.keySet());
        }
        for (var e : glibc.entrySet()) {
            if (e.getValue().header().isFile()) {
                assertTrue(e.getKey().startsWith("lib/") || e.getKey().startsWith("lib64/")
                        || e.getKey().startsWith("usr/lib/"), e.getKey());
                assertArrayEquals(Files.readAllBytes(Path.of("/" + e.getKey())), e.getValue().content(),
                        "the host's " + e.getKey());
            }
        }
        assertTrue(files.stream().filter(f -> f.contains(".so")).count() <= 8, "only what ldd names: " + files);
        assertTrue(glibc.containsKey("usr/lib/locale/C.utf8/LC_CTYPE"), "the C.UTF-8 locale: " + glibc.keySet());
    }

    @Test
    void javaRuntimeLayerIsTheJlinkedRuntimeWithOnlyTheChosenModules() {
        Map<String, Entry> jre = layer("java-runtime");
        Entry java = jre.get("opt/java/bin/java");
        assertTrue(java != null && java.header().isFile(), "opt/java/bin/java: " + jre.keySet().stream().limit(20).toList());
        assertEquals(0755, java.header().getMode() & 07777);
        assertEquals(0755, jre.get("opt/java/lib/jspawnhelper").header().getMode() & 07777, "Process.start needs it");
        assertTrue(jre.containsKey("opt/java/lib/server/libjvm.so"));
        assertTrue(jre.containsKey("opt/java/lib/modules"));
        assertTrue(jre.containsKey("opt/java/lib/security/cacerts"), "CA certificates for TLS");
        assertFalse(jre.containsKey("opt/java/include"), "--no-header-files");
        assertFalse(jre.containsKey("opt/java/man"), "--no-man-pages");
        assertFalse(jre.containsKey("opt/java/bin/javac"));
        Properties release = new Properties();
        try {
            release.load(new ByteArrayInputStream(jre.get("opt/java/release").content()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Set<String> modules = new TreeSet<>(List.of(release.getProperty("MODULES").replace("\"", "").split(" ")));
        Set<String> chosen = new TreeSet<>(List.of(TestPaths.property("sandboxrun.image.java-modules").split(",")));
        assertTrue(modules.containsAll(chosen), modules + " holds " + chosen);
        // jlink adds only what the chosen modules require (java.naming needs java.security.sasl).
        Set<String> extra = new TreeSet<>(modules);
        extra.removeAll(chosen);
        assertEquals(Set.of("java.security.sasl"), extra, "modules beyond the chosen ones");
        for (String k : jre.keySet()) {
            assertTrue(k.equals("opt") || k.startsWith("opt/java"), k);
        }
    }

    @Test
    void dependenciesAndApplicationLayersHoldTheQuarkusFastJarByteForByte() throws IOException {
        Path app = Path.of(TestPaths.property("sandboxrun.operator.app"));
        Map<String, Entry> deps = layer("dependencies");
        Map<String, Entry> application = layer("application");
        Set<String> expectedDeps = new TreeSet<>();
        Set<String> expectedApp = new TreeSet<>();
        try (Stream<Path> s = Files.walk(app)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = app.relativize(p).toString();
                if (rel.startsWith("lib/")) {
                    expectedDeps.add("deployments/" + rel);
                } else if (rel.equals("quarkus-run.jar") || rel.startsWith("app/") || rel.startsWith("quarkus/")) {
                    expectedApp.add("deployments/" + rel);
                }
            }
        }
        assertTrue(expectedApp.contains("deployments/quarkus-run.jar"));
        assertTrue(expectedApp.stream().anyMatch(n -> n.startsWith("deployments/app/sandboxrun-operator-")), "" + expectedApp);
        assertEquals(expectedDeps, files(deps));
        assertEquals(expectedApp, files(application));
        for (var layer : List.of(deps, application)) {
            for (var e : layer.entrySet()) {
                if (e.getValue().header().isFile()) {
                    assertEquals(0644, e.getValue().header().getMode() & 07777, e.getKey());
                    assertArrayEquals(Files.readAllBytes(app.resolve(e.getKey().substring("deployments/".length()))),
                            e.getValue().content(), e.getKey() + ": the operator's build (rebuilt meanwhile?)");
                }
            }
        }
    }

    @Test
    void digestFileAndPropertiesNameTheManifest() throws Exception {
        String digest = index.at("/manifests/0/digest").asText();
        assertEquals(digest + "\n", Files.readString(Path.of(TestPaths.property("sandboxrun.image.digest-file"))));
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(Path.of(TestPaths.property("sandboxrun.image.properties")))) {
            p.load(r);
        }
        String reference = TestPaths.property("sandboxrun.image.reference");
        assertEquals(reference + "@" + digest, p.getProperty("operator-image.pinned"));
        assertEquals(digest, p.getProperty("operator-image.digest"));
        assertEquals(reference, p.getProperty("operator-image.reference"));
        assertEquals(manifest.at("/config/digest").asText(), p.getProperty("operator-image.image-id"));
        assertEquals(TestPaths.property("sandboxrun.image.java-modules"), p.getProperty("operator-image.java-modules"));
    }

    @Test
    void theSameInputsGiveTheSameBytes(@TempDir Path dir) throws Exception {
        Path again = dir.resolve("again.tar");
        BuildOperatorImage.Built b = BuildOperatorImage.build(Path.of(TestPaths.property("sandboxrun.operator.app")),
                TestPaths.property("sandboxrun.image.reference"),
                List.of(TestPaths.property("sandboxrun.image.java-modules").split(",")), again, dir.resolve("work"));
        assertEquals(index.at("/manifests/0/digest").asText(), b.digest(),
                "a second build (its own jlink, fresh cache) gives the same digest");
        Map<String, byte[]> first = untar(Files.readAllBytes(tarball));
        Map<String, byte[]> second = untar(Files.readAllBytes(again));
        assertEquals(first.keySet(), second.keySet());
        for (String name : first.keySet()) {
            assertArrayEquals(first.get(name), second.get(name), name);
        }
    }

    static Map<String, Entry> layer(String name) {
        return layers.get(LAYERS.indexOf(name));
    }

    static Set<String> files(Map<String, Entry> layer) {
        Set<String> s = new TreeSet<>();
        layer.forEach((k, v) -> {
            if (v.header().isFile()) {
                s.add(k);
            }
        });
        return s;
    }

    static String text(Entry e) {
        return new String(e.content(), StandardCharsets.UTF_8);
    }

    static byte[] blob(String digest) {
        byte[] b = files.get("blobs/sha256/" + digest.substring("sha256:".length()));
        assertTrue(b != null, "blob " + digest + " is in the tarball");
        return b;
    }

    static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    out.put(e.getName().replaceFirst("^\\./", ""), in.readAllBytes());
                }
            }
        }
        return out;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    static Set<String> fieldNames(JsonNode object) {
        Set<String> s = new TreeSet<>();
        object.fieldNames().forEachRemaining(s::add);
        return s;
    }
}
