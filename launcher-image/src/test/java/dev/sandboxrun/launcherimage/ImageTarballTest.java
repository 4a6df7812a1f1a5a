package dev.sandboxrun.launcherimage;

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
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the build wrote into target/: the OCI tarball, its digest, the properties. Read byte by byte. */
class ImageTarballTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Path tarball;
    static Map<String, byte[]> files;
    static JsonNode index;
    static JsonNode manifest;
    static JsonNode config;

    @BeforeAll
    static void read() throws IOException {
        tarball = Path.of(TestPaths.property("sandboxrun.image.tarball"));
        assertTrue(Files.isRegularFile(tarball), "the build (process-test-classes) should have written " + tarball);
        files = untar(Files.readAllBytes(tarball));
        index = JSON.readTree(files.get("index.json"));
        manifest = JSON.readTree(blob(index.at("/manifests/0/digest").asText()));
        config = JSON.readTree(blob(manifest.at("/config/digest").asText()));
    }

    @Test
    void isAnOciLayoutWithOneImageNamedAsTheOperatorExpects() {
        assertEquals("{\"imageLayoutVersion\": \"1.0.0\"}", new String(files.get("oci-layout"), StandardCharsets.UTF_8));
        assertEquals(1, index.get("manifests").size());
        assertEquals("application/vnd.oci.image.manifest.v1+json", index.at("/manifests/0/mediaType").asText());
        assertEquals(TestPaths.property("sandboxrun.image.reference"),
                index.at("/manifests/0/annotations/org.opencontainers.image.ref.name").asText());
        assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType").asText());
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
    void configRunsTheLauncherAs65534FromScratch() {
        JsonNode c = config.get("config");
        assertEquals("65534:65534", c.get("User").asText());
        assertEquals(List.of("/sandbox-launch"), strings(c.get("Entrypoint")));
        assertTrue(c.get("Cmd") == null || c.get("Cmd").isNull() || c.get("Cmd").isEmpty(), "no Cmd: " + c);
        assertTrue(c.get("Env") == null || c.get("Env").isEmpty(), "no environment: " + c);
        assertEquals("/", c.get("WorkingDir").asText());
        assertEquals("1970-01-01T00:00:00Z", config.get("created").asText(), "a fixed creation time");
        assertEquals("linux", config.get("os").asText());
        assertEquals("amd64", config.get("architecture").asText());
        assertEquals(1, manifest.get("layers").size(), "FROM scratch: the launcher's layer only");
        assertEquals(1, config.at("/rootfs/diff_ids").size());
    }

    @Test
    void theOnlyLayerHoldsExactlyTheLauncherRootOwnedMode0555() throws Exception {
        JsonNode layer = manifest.at("/layers/0");
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layer.get("mediaType").asText());
        byte[] gz = blob(layer.get("digest").asText());
        byte[] tar;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            tar = in.readAllBytes();
        }
        assertEquals("sha256:" + sha256(tar), config.at("/rootfs/diff_ids/0").asText(), "diff_id of the layer");

        List<TarArchiveEntry> entries = new ArrayList<>();
        byte[] content = null;
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                entries.add(e);
                if (e.isFile()) {
                    content = in.readAllBytes();
                }
            }
        }
        assertEquals(1, entries.size(), "exactly one entry: " + entries.stream().map(TarArchiveEntry::getName).toList());
        TarArchiveEntry e = entries.get(0);
        assertEquals("sandbox-launch", e.getName().replaceFirst("^\\.?/", ""));
        assertTrue(e.isFile(), "a regular file");
        assertEquals(0555, e.getMode() & 07777, "mode " + Integer.toOctalString(e.getMode()));
        assertEquals(0, e.getLongUserId());
        assertEquals(0, e.getLongGroupId());
        assertEquals(1000L, e.getModTime().getTime(), "a fixed modification time");
        byte[] binary = Files.readAllBytes(Path.of(TestPaths.property("sandboxrun.launcher.binary")));
        assertArrayEquals(binary, content, "the layer holds the launcher that native/ built");
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
        assertEquals(reference + "@" + digest, p.getProperty("sandboxrun.launcher.image"));
        assertEquals(digest, p.getProperty("launcher-image.digest"));
        assertEquals(reference, p.getProperty("launcher-image.reference"));
        assertEquals(manifest.at("/config/digest").asText(), p.getProperty("launcher-image.image-id"));
    }

    @Test
    void theSameBinaryGivesTheSameBytes(@TempDir Path dir) throws Exception {
        Path again = dir.resolve("again.tar");
        BuildLauncherImage.Built b = BuildLauncherImage.build(Path.of(TestPaths.property("sandboxrun.launcher.binary")),
                TestPaths.property("sandboxrun.image.reference"), again, dir.resolve("cache"));
        assertEquals(index.at("/manifests/0/digest").asText(), b.digest());
        assertEquals(untar(Files.readAllBytes(tarball)).keySet(), untar(Files.readAllBytes(again)).keySet());
        Map<String, byte[]> first = untar(Files.readAllBytes(tarball));
        Map<String, byte[]> second = untar(Files.readAllBytes(again));
        for (String name : first.keySet()) {
            assertArrayEquals(first.get(name), second.get(name), name);
        }
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
}
