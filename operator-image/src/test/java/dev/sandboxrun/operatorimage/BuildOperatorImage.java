package dev.sandboxrun.operatorimage;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the operator's image as an OCI tarball, {@code FROM scratch}, with no daemon and no registry:
 * <ol>
 *   <li>layer {@code base}: {@code /etc/passwd}, {@code /etc/group} (user and group 185, home {@code /tmp}),
 *       {@code /etc/nsswitch.conf}, an empty {@code /tmp} (mode 0777; the chart mounts an emptyDir there);</li>
 *   <li>layer {@code glibc}: the shared libraries the runtime needs (found with {@code ldd}), each at the path
 *       the dynamic loader looks for it ({@code /lib64/ld-linux-x86-64.so.2}, {@code /lib/x86_64-linux-gnu/...}),
 *       and the C.UTF-8 locale ({@code LANG=C.UTF-8}: UTF-8 is the JVM's default charset);</li>
 *   <li>layer {@code java-runtime}: a minimal runtime at {@code /opt/java}, made by {@code jlink} from the JDK
 *       running the build;</li>
 *   <li>layer {@code dependencies}: {@code /deployments/lib/} of the Quarkus fast-jar;</li>
 *   <li>layer {@code application}: {@code /deployments/quarkus-run.jar}, {@code app/}, {@code quarkus/}.</li>
 * </ol>
 * Everything is root-owned and read-only for user 185:185, which runs
 * {@code /opt/java/bin/java -XX:MaxRAMPercentage=75 -jar /deployments/quarkus-run.jar} in {@code /deployments}.
 * Every time stamp is fixed: the same fast-jar, JDK and glibc give the same digest.
 *
 * <pre>
 * BuildOperatorImage --app=DIR --repository=R --tag=T --java-modules=M,... --tarball=FILE --work=DIR
 *                    [--digest-file=FILE] [--properties=FILE]...
 * </pre>
 */
public final class BuildOperatorImage {
    public static final String JAVA_HOME = "/opt/java";
    public static final String DEPLOYMENTS = "/deployments";
    public static final String USER = "185:185";
    public static final int HTTP_PORT = 8080;
    public static final List<String> ENTRYPOINT = List.of(JAVA_HOME + "/bin/java", "-XX:MaxRAMPercentage=75",
            "-jar", DEPLOYMENTS + "/quarkus-run.jar");
    /** C.UTF-8 is built into glibc 2.35+: UTF-8 file names and logs with no locale files. */
    public static final Map<String, String> ENVIRONMENT = new TreeMap<>(Map.of(
            "JAVA_HOME", JAVA_HOME,
            "LANG", "C.UTF-8"));
    public static final List<String> JLINK_OPTIONS = List.of("--strip-debug", "--no-man-pages", "--no-header-files",
            "--compress=2");
    /** The image's creation time: fixed, for reproducible digests. */
    public static final Instant CREATED = Instant.EPOCH;
    /** Every file's modification time in the layers (Jib's own reproducible default). */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);
    public static final String LOCALE = "/usr/lib/locale/C.utf8";
    public static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
            + "sandboxrun:x:185:185:sandboxrun operator:/tmp:/sbin/nologin\n";
    public static final String GROUP = "root:x:0:\nsandboxrun:x:185:\n";
    public static final String NSSWITCH = "passwd: files\ngroup: files\nhosts: files dns\n";

    /** What a build produced. */
    public record Built(String reference, String digest, String imageId, Path tarball, List<String> libraries,
                        String javaVersion) {
        /** The reference pinned to the manifest digest. */
        public String pinned() {
            return reference + "@" + digest;
        }
    }

    private BuildOperatorImage() {
    }

    /** The fast-jar layout that {@code mvn -pl operator package} writes, or a clear failure. */
    static void checkApp(Path app) throws IOException {
        for (String required : List.of("quarkus-run.jar", "lib/boot", "lib/main", "app", "quarkus")) {
            if (!Files.exists(app.resolve(required))) {
                throw new IOException("the operator's Quarkus fast-jar is missing " + app.resolve(required)
                        + ": build the operator first with `mvn -B -ntp -pl operator package -DskipTests`");
            }
        }
    }

    public static Built build(Path app, String reference, List<String> javaModules, Path tarball, Path work)
            throws Exception {
        app = app.toAbsolutePath().normalize();
        checkApp(app);
        work = work.toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        Files.createDirectories(tarball.toAbsolutePath().getParent());

        Path jre = jlink(javaModules, work.resolve("jre"));
        Map<String, Path> libraries = libraries(jre);

        Path etc = Files.createDirectories(work.resolve("root/etc"));
        Files.writeString(etc.resolve("passwd"), PASSWD, StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("group"), GROUP, StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("nsswitch.conf"), NSSWITCH, StandardCharsets.UTF_8);
        Path tmp = Files.createDirectories(work.resolve("root/tmp"));

        FileEntriesLayer.Builder base = FileEntriesLayer.builder().setName("base");
        base.addEntry(etc, AbsoluteUnixPath.get("/etc"), FilePermissions.DEFAULT_FOLDER_PERMISSIONS, FILE_TIME);
        for (String f : List.of("group", "nsswitch.conf", "passwd")) {
            base.addEntry(etc.resolve(f), AbsoluteUnixPath.get("/etc/" + f), FilePermissions.fromOctalString("644"),
                    FILE_TIME);
        }
        base.addEntry(tmp, AbsoluteUnixPath.get("/tmp"), FilePermissions.fromOctalString("777"), FILE_TIME);

        FileEntriesLayer.Builder glibc = FileEntriesLayer.builder().setName("glibc");
        for (var e : libraries.entrySet()) {
            glibc.addEntry(e.getValue(), AbsoluteUnixPath.get(e.getKey()), FilePermissions.fromOctalString("755"),
                    FILE_TIME);
        }

        // LANG=C.UTF-8 needs the locale's files (glibc does not build it in): UTF-8 as the JVM's default charset.
        Path locale = Path.of(LOCALE);
        if (!Files.isDirectory(locale)) {
            throw new IOException("no " + LOCALE + " on this machine (Debian: libc-bin)");
        }
        addTree(glibc, locale, LOCALE);

        FileEntriesLayer.Builder runtime = FileEntriesLayer.builder().setName("java-runtime");
        addTree(runtime, jre, JAVA_HOME);

        FileEntriesLayer.Builder dependencies = FileEntriesLayer.builder().setName("dependencies");
        addTree(dependencies, app.resolve("lib"), DEPLOYMENTS + "/lib");

        FileEntriesLayer.Builder application = FileEntriesLayer.builder().setName("application");
        application.addEntry(app.resolve("quarkus-run.jar"), AbsoluteUnixPath.get(DEPLOYMENTS + "/quarkus-run.jar"),
                FilePermissions.fromOctalString("644"), FILE_TIME);
        addTree(application, app.resolve("app"), DEPLOYMENTS + "/app");
        addTree(application, app.resolve("quarkus"), DEPLOYMENTS + "/quarkus");

        // A fresh cache every time: layers are never taken from a previous build's files.
        Path cache = work.resolve("jib-cache");
        Containerizer to = Containerizer.to(TarImage.at(tarball).named(ImageReference.parse(reference)))
                .setOfflineMode(true)
                .setBaseImageLayersCache(cache.resolve("base"))
                .setApplicationLayersCache(cache.resolve("application"))
                .setToolName("sandboxrun-operator-image");
        String tag = reference.substring(reference.lastIndexOf(':') + 1);
        JibContainer built = Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .setCreationTime(CREATED)
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get(DEPLOYMENTS))
                .setEntrypoint(ENTRYPOINT)
                .setEnvironment(ENVIRONMENT)
                .addExposedPort(Port.tcp(HTTP_PORT))
                .addLabel("org.opencontainers.image.title", "sandboxrun-operator")
                .addLabel("org.opencontainers.image.version", tag)
                .addLabel("org.opencontainers.image.description",
                        "sandboxrun operator: runs SandboxRun resources as hardened pods")
                .addFileEntriesLayer(base.build())
                .addFileEntriesLayer(glibc.build())
                .addFileEntriesLayer(runtime.build())
                .addFileEntriesLayer(dependencies.build())
                .addFileEntriesLayer(application.build())
                .containerize(to);
        deleteRecursively(cache);
        return new Built(reference, built.getDigest().toString(), built.getImageId().toString(), tarball,
                List.copyOf(libraries.keySet()), Runtime.version().toString());
    }

    /**
     * A runtime with only {@code modules}, by the {@code jlink} of the JDK running this build, from its jmods.
     * jlink runs as its own process with a fixed environment: the classes it generates for java.lang.invoke
     * differ with the locale's encoding, which would make the digest depend on the caller's LANG.
     */
    static Path jlink(List<String> modules, Path output) throws IOException, InterruptedException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jlink = javaHome.resolve("bin/jlink");
        Path jmods = javaHome.resolve("jmods");
        if (!Files.isExecutable(jlink) || !Files.isDirectory(jmods)) {
            throw new IOException("no " + jlink + " or " + jmods + ": build with a full JDK 17 (Debian: openjdk-17-jdk-headless)");
        }
        List<String> command = new ArrayList<>(List.of(jlink.toString(), "--module-path", jmods.toString(),
                "--add-modules", String.join(",", modules)));
        command.addAll(JLINK_OPTIONS);
        command.addAll(List.of("--output", output.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return output;
    }

    private static final Pattern LDD_ARROW = Pattern.compile("^\\s*(\\S+)\\s+=>\\s+(\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");
    private static final Pattern LDD_ARROW_NOT_FOUND = Pattern.compile("^\\s*(\\S+)\\s+=>\\s+not found\\s*$");
    private static final Pattern LDD_PATH = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");

    /**
     * The shared libraries outside the runtime that its ELF files load, by {@code ldd}: path in the image (as
     * ldd names it, i.e. where the loader looks) to the file on this machine.
     */
    static Map<String, Path> libraries(Path jre) throws IOException, InterruptedException {
        List<Path> elves = new ArrayList<>();
        try (Stream<Path> s = Files.walk(jre)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p) && isElf(p)) {
                    elves.add(p);
                }
            }
        }
        TreeSet<String> inRuntime = new TreeSet<>();
        for (Path p : elves) {
            inRuntime.add(p.getFileName().toString());
        }
        Map<String, Path> found = new TreeMap<>();
        for (Path elf : elves) {
            Process p = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("ldd " + elf + " failed:\n" + out);
            }
            for (String line : out.split("\n")) {
                Matcher m;
                if (line.isBlank() || line.contains("linux-vdso.so")) {
                    continue;
                } else if ((m = LDD_ARROW.matcher(line)).matches()) {
                    if (!m.group(2).startsWith(jre.toString() + "/") && !inRuntime.contains(m.group(1))) {
                        found.put(m.group(2), Path.of(m.group(2)));
                    }
                } else if ((m = LDD_PATH.matcher(line)).matches()) {
                    found.put(m.group(1), Path.of(m.group(1)));
                } else if ((m = LDD_ARROW_NOT_FOUND.matcher(line)).matches()) {
                    // libjvm.so: loaded by libjli from lib/server, beside it in the runtime.
                    if (!inRuntime.contains(m.group(1))) {
                        throw new IOException("ldd " + elf + ": " + m.group(1) + " not found on this machine");
                    }
                } else if (!line.contains("statically linked")) {
                    throw new IOException("ldd " + elf + ": unexpected line '" + line + "'");
                }
            }
        }
        for (var e : found.entrySet()) {
            if (!Files.isRegularFile(e.getValue())) {
                throw new IOException("ldd named " + e.getValue() + ", which is not a file");
            }
        }
        return found;
    }

    static boolean isElf(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    /** Every directory and file under {@code source}, root-owned: 0755 for directories and executables, else 0644. */
    static void addTree(FileEntriesLayer.Builder layer, Path source, String target) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(source)) {
            paths = s.sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path p : paths) {
            String rel = source.relativize(p).toString();
            AbsoluteUnixPath in = AbsoluteUnixPath.get(rel.isEmpty() ? target : target + "/" + rel);
            // jlink links legal/<module>/* to legal/java.base/*: the image gets a copy (a regular file).
            if (Files.isSymbolicLink(p) && !p.toRealPath().startsWith(source.toRealPath())) {
                throw new IOException("symbolic link " + p + " leads out of " + source);
            }
            boolean executable = Files.isDirectory(p)
                    || Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
            layer.addEntry(p, in, FilePermissions.fromOctalString(executable ? "755" : "644"), FILE_TIME);
        }
    }

    /** The properties file a chart install, a script or a test reads the image from. */
    public static String properties(Built b, String repository, String tag, List<String> javaModules) {
        return "# The operator's image, as built by operator-image/ (mvn -pl operator-image verify).\n"
                + "# Tarball: operator-image/target/operator-image.tar (OCI; `podman load -i`, `kind load image-archive`).\n"
                + "# The chart: --set operator.image.digest=<operator-image.digest> pins it.\n"
                + "operator-image.pinned=" + b.pinned() + "\n"
                + "operator-image.repository=" + repository + "\n"
                + "operator-image.tag=" + tag + "\n"
                + "operator-image.reference=" + b.reference() + "\n"
                + "operator-image.digest=" + b.digest() + "\n"
                + "operator-image.image-id=" + b.imageId() + "\n"
                + "operator-image.java-version=" + b.javaVersion() + "\n"
                + "operator-image.java-modules=" + String.join(",", javaModules) + "\n"
                + "operator-image.libraries=" + String.join(",", b.libraries()) + "\n";
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        List<Path> properties = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = eq > 0 ? arg.substring(0, eq) : arg;
            String value = eq > 0 ? arg.substring(eq + 1) : "";
            switch (key) {
                case "--app", "--repository", "--tag", "--java-modules", "--tarball", "--work", "--digest-file" ->
                        a.put(key, value);
                case "--properties" -> properties.add(Path.of(value));
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        for (String required : List.of("--app", "--repository", "--tag", "--java-modules", "--tarball", "--work")) {
            if (a.get(required) == null || a.get(required).isBlank()) {
                throw new IllegalArgumentException(required + " is required");
            }
        }
        List<String> modules = List.of(a.get("--java-modules").split(","));
        Path tarball = Path.of(a.get("--tarball"));
        Built b;
        try {
            b = build(Path.of(a.get("--app")), a.get("--repository") + ":" + a.get("--tag"), modules, tarball,
                    Path.of(a.get("--work")));
        } catch (IOException e) {
            System.err.println("operator image: " + e.getMessage());
            System.exit(1);
            return;
        }
        Optional.ofNullable(a.get("--digest-file")).map(Path::of).ifPresent(f -> write(f, b.digest() + "\n"));
        for (Path p : properties) {
            write(p, properties(b, a.get("--repository"), a.get("--tag"), modules));
        }
        System.out.println("operator image " + b.pinned() + " -> " + tarball + " (" + Files.size(tarball) / 1024 / 1024
                + " MiB)");
        // Jib's executors may leave non-daemon threads behind.
        System.exit(0);
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
