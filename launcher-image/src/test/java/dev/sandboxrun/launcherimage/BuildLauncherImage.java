package dev.sandboxrun.launcherimage;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the launcher image: {@code FROM scratch}, one layer holding {@code /sandbox-launch} (root-owned,
 * mode 0555), user {@code 65534:65534}, entrypoint {@code ["/sandbox-launch"]}, as an OCI image tarball.
 * No daemon, no registry, no network; every time stamp is fixed, so the same binary always gives the
 * same digest. Run by the Maven build (exec-maven-plugin, process-test-classes) and by the tests.
 *
 * <pre>
 * BuildLauncherImage --binary=FILE --repository=R --tag=T --tarball=FILE [--digest-file=FILE]
 *                    [--properties=FILE]... [--cache=DIR]
 * </pre>
 */
public final class BuildLauncherImage {
    public static final String PATH_IN_IMAGE = "/sandbox-launch";
    public static final String USER = "65534:65534";
    public static final String MODE = "555";
    /** The image's creation time: fixed, for reproducible digests. */
    public static final Instant CREATED = Instant.EPOCH;
    /** The file's modification time in the layer (Jib's own reproducible default). */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);

    /** What a build produced. */
    public record Built(String reference, String digest, String imageId, Path tarball) {
        /** The reference pinned to the manifest digest, e.g. for {@code sandboxrun.launcher.image}. */
        public String pinned() {
            return reference + "@" + digest;
        }
    }

    private BuildLauncherImage() {
    }

    public static Built build(Path binary, String reference, Path tarball, Path cache) throws Exception {
        if (!Files.isRegularFile(binary)) {
            throw new IOException("the launcher binary " + binary + " does not exist: build it with `make -C native all`"
                    + " (or mvn -pl native verify)");
        }
        Files.createDirectories(tarball.toAbsolutePath().getParent());
        Files.createDirectories(cache);
        FileEntriesLayer layer = FileEntriesLayer.builder()
                .setName("launcher")
                .addEntry(binary, AbsoluteUnixPath.get(PATH_IN_IMAGE), FilePermissions.fromOctalString(MODE), FILE_TIME)
                .build();
        Containerizer to = Containerizer.to(TarImage.at(tarball).named(ImageReference.parse(reference)))
                .setOfflineMode(true)
                .setBaseImageLayersCache(cache.resolve("base"))
                .setApplicationLayersCache(cache.resolve("application"))
                .setToolName("sandboxrun-launcher-image");
        JibContainer built = Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .setCreationTime(CREATED)
                .setUser(USER)
                .setEntrypoint(PATH_IN_IMAGE)
                .setWorkingDirectory(AbsoluteUnixPath.get("/"))
                .addFileEntriesLayer(layer)
                .containerize(to);
        return new Built(reference, built.getDigest().toString(), built.getImageId().toString(), tarball);
    }

    /** The properties file the operator (or a chart, or a script) can read the image from. */
    public static String properties(Built b, String repository, String tag) {
        return "# The sandbox pods' launcher image, as built by launcher-image/ (mvn -pl launcher-image verify).\n"
                + "# Tarball: launcher-image/target/sandbox-launch-image.tar (OCI; `podman load -i`, `kind load image-archive`).\n"
                + "# sandboxrun.launcher.image is the operator's configuration key (OperatorConfig.Launcher#image),\n"
                + "# pinned to the manifest digest.\n"
                + "sandboxrun.launcher.image=" + b.pinned() + "\n"
                + "launcher-image.repository=" + repository + "\n"
                + "launcher-image.tag=" + tag + "\n"
                + "launcher-image.reference=" + b.reference() + "\n"
                + "launcher-image.digest=" + b.digest() + "\n"
                + "launcher-image.image-id=" + b.imageId() + "\n";
    }

    public static void main(String[] args) throws Exception {
        Path binary = null;
        Path tarball = null;
        Path digestFile = null;
        Path cache = null;
        String repository = null;
        String tag = null;
        List<Path> properties = new ArrayList<>();
        for (String a : args) {
            String value = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("--binary=")) {
                binary = Path.of(value);
            } else if (a.startsWith("--repository=")) {
                repository = value;
            } else if (a.startsWith("--tag=")) {
                tag = value;
            } else if (a.startsWith("--tarball=")) {
                tarball = Path.of(value);
            } else if (a.startsWith("--digest-file=")) {
                digestFile = Path.of(value);
            } else if (a.startsWith("--properties=")) {
                properties.add(Path.of(value));
            } else if (a.startsWith("--cache=")) {
                cache = Path.of(value);
            } else {
                throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (binary == null || repository == null || tag == null || tarball == null) {
            throw new IllegalArgumentException("--binary, --repository, --tag and --tarball are required");
        }
        if (cache == null) {
            cache = tarball.toAbsolutePath().getParent().resolve("jib-cache");
        }
        Built b = build(binary, repository + ":" + tag, tarball, cache);
        if (digestFile != null) {
            write(digestFile, b.digest() + "\n");
        }
        for (Path p : properties) {
            write(p, properties(b, repository, tag));
        }
        System.out.println("launcher image " + b.pinned() + " -> " + tarball);
        // Jib's executors may leave non-daemon threads behind.
        System.exit(0);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
