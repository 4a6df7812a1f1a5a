package dev.sandboxrun.cli.command;

import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.Limits;
import dev.sandboxrun.api.ProgramLayout;
import dev.sandboxrun.api.ProgramUpload;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import dev.sandboxrun.cli.Main;
import dev.sandboxrun.cli.cluster.ClusterOptions;
import dev.sandboxrun.cli.cluster.Runs;
import dev.sandboxrun.cli.cluster.StdoutChunks;
import dev.sandboxrun.cli.local.ProgramFiles;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import dev.sandboxrun.cli.nativelib.NativeUnavailableException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "submit", sortOptions = false, mixinStandardHelpOptions = true,
        footerHeading = "%nExit codes:%n", footer = ExitCodes.HELP,
        description = {"Run a local static binary on the cluster: create a SandboxRun and, owned by it (so they go "
                + "with it), a ConfigMap holding the program (and one for stdin when it is not short text). A "
                + "program over 768 KiB goes in parts (up to 64 MiB), stored once per namespace by its SHA-256 and "
                + "shared by the runs that use it. With --wait, show the phase as it changes, then print the "
                + "stdout. Program arguments follow `--`."})
public final class SubmitCommand implements Callable<Integer> {
    /** The most a ConfigMap holds (keys and values together); leave room for the key. */
    public static final long CONFIGMAP_MAX = 1024L * 1024;
    public static final String PROGRAM_KEY = "program";
    public static final String STDIN_KEY = "stdin";
    private static final int STDIN_TEXT_MAX = 262144;   // StdinSource.text's schema limit

    @ParentCommand
    Main main;

    @Mixin
    LimitOptions limitOptions;

    @Option(names = "--cores", paramLabel = "QUANTITY", description = "CPU bandwidth of the pod: 1, 500m (default: the operator's)")
    String cores;

    @Option(names = "--stdin", paramLabel = "FILE", description = "the program's stdin: a file, or - for this "
            + "command's stdin (default: empty)")
    String stdin;

    @Option(names = "--name", description = "the SandboxRun's name (default: the program's name and a random suffix)")
    String name;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--wait", description = "wait for the verdict, then print the stdout; exit with the verdict's code")
    boolean await;

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "how long --wait waits (default: 10m)")
    String timeout;

    @Option(names = "--poll-interval", defaultValue = "1000", hidden = true)
    long pollMillis;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "a statically linked x86-64 ELF executable")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "the program's arguments (after --)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        byte[] bytes = readProgram();
        byte[] in = stdin == null ? null : stdin.equals("-") ? readStdin() : readFile(Path.of(stdin), "--stdin");
        SandboxRunSpec spec = new SandboxRunSpec();
        spec.setProfile(limitOptions.profile());
        Limits limits = limitOptions.limits();
        limits.setCores(cores);
        spec.setLimits(limits);
        spec.setArgs(args);
        try {
            dev.sandboxrun.api.EffectiveLimits.resolve(spec, dev.sandboxrun.api.EffectiveLimits.Defaults.CONTRACT);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, LimitOptions.optionWords(e.getMessage()));
        }
        List<String> problems = dev.sandboxrun.api.SpecValidation.limitsProblems(limits);
        if (!problems.isEmpty()) {
            throw new CliException(ExitCodes.INVALID_SPEC, LimitOptions.optionWords(String.join("; ", problems)));
        }
        String runName = name != null ? name : generatedName(program);
        String sha256 = StdoutLayout.sha256(bytes);
        // Up to one part's size: one ConfigMap owned by the run, as before. Above: content-addressed
        // parts, shared by every run of the same program. Either way the launcher checks the digest.
        List<byte[]> parts = bytes.length > ProgramLayout.PART_MAX_BYTES ? ProgramLayout.split(bytes) : null;
        if (parts != null) {
            spec.setProgram(ProgramLayout.source(sha256, parts.size()));
        } else {
            spec.setProgram(ProgramSource.configMap(runName + "-program", PROGRAM_KEY));
            spec.getProgram().setSha256(sha256);
        }
        String stdinText = in == null ? null : asText(in);
        if (in != null && stdinText != null) {
            spec.setStdin(StdinSource.text(stdinText));
        } else if (in != null) {
            if (in.length + STDIN_KEY.length() > CONFIGMAP_MAX) {
                throw new CliException(ExitCodes.BAD_INPUT, "--stdin " + stdin + " is " + in.length
                        + " bytes; a ConfigMap holds at most 1 MiB");
            }
            StdinSource s = new StdinSource();
            s.setConfigMap(new KeyRef(runName + "-stdin", STDIN_KEY));
            spec.setStdin(s);
        }

        try (KubernetesClient client = main.client(cluster)) {
            String ns = Runs.namespace(client, cluster.namespace);
            SandboxRun run = new SandboxRun();
            run.getMetadata().setName(runName);
            run.getMetadata().setNamespace(ns);
            run.setSpec(spec);
            SandboxRun created = client.resources(SandboxRun.class).inNamespace(ns).resource(run).create();
            if (parts != null) {
                ProgramUpload.Result up;
                try {
                    up = ProgramUpload.upload(client, created, sha256, parts);
                } catch (ProgramUpload.ForeignPart e) {
                    throw new CliException(ExitCodes.CLUSTER, e.getMessage());
                }
                main.err().println("program " + sha256 + ": " + up.parts() + " parts, " + up.uploaded() + " uploaded ("
                        + up.uploadedBytes() + " bytes), " + up.reused() + " already in the namespace");
            } else {
                // Owned by the run: deleting the run deletes its program (and stdin).
                client.resource(ownedConfigMap(created, runName + "-program", PROGRAM_KEY, bytes)).create();
            }
            if (spec.getStdin() != null && spec.getStdin().getConfigMap() != null) {
                client.resource(ownedConfigMap(created, runName + "-stdin", STDIN_KEY, in)).create();
            }
            main.err().println("sandboxrun.sandboxrun.dev/" + runName + " created in namespace " + ns);
            if (!await) {
                main.out().write((runName + "\n").getBytes(StandardCharsets.UTF_8));
                main.out().flush();
                return 0;
            }
            return waitFor(client, ns, runName);
        }
    }

    private int waitFor(KubernetesClient client, String ns, String runName) {
        long deadline = System.nanoTime() + Duration.ofMillis(dev.sandboxrun.api.Sizes.millis(timeout)).toNanos();
        String shown = null;
        while (true) {
            SandboxRun run = Runs.get(client, ns, runName);
            SandboxRunStatus s = run.getStatus();
            String now = s == null || s.getPhase() == null ? "Pending" : s.getPhase().name();
            if (s != null && !s.isFinished() && s.getMessage() != null && !s.getMessage().isEmpty()) {
                now += " (" + s.getMessage() + ")";
            }
            if (!now.equals(shown)) {
                if (s == null || !s.isFinished()) {
                    main.err().println(runName + ": " + now);
                }
                shown = now;
            }
            if (s != null && s.isFinished()) {
                main.err().println(runName + ": " + s.getPhase() + ": " + Printing.summary(run));
                Verdict v = s.getVerdict();
                if (s.getStdout() != null && s.getStdout().getBytes() != null && s.getStdout().getBytes() > 0) {
                    LogsCommand.write(main, StdoutChunks.read(client, run));
                }
                return ExitCodes.of(v);
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCodes.NOT_FINISHED, runName + " has not finished after " + timeout
                        + " (still " + now + "); `sandboxrun get " + runName + "` shows it later");
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.NOT_FINISHED, "interrupted while waiting for " + runName);
            }
        }
    }

    private byte[] readProgram() {
        if (!Files.isRegularFile(program)) {
            ProgramFiles.checkProgram(program, program.toString());   // missing, a folder, a device: said plainly
        }
        long size = sizeOf(program);
        if (size > ProgramLayout.PROGRAM_MAX_BYTES) {
            throw new CliException(ExitCodes.BAD_INPUT, program + " is " + size
                    + " bytes, more than the " + ProgramLayout.PROGRAM_MAX_BYTES + " bytes (64 MiB) the launcher runs: put it in an OCI image (FROM scratch, the"
                    + " binary only) and run it as an image volume: spec.program.image {reference: REGISTRY/NAME:TAG,"
                    + " path: /PROGRAM} (Kubernetes 1.31+ with the ImageVolume feature)");
        }
        ProgramFiles.checkProgram(program, program.toString());   // source code, a script: not a program
        byte[] bytes = readFile(program, "PROGRAM");
        // The launcher's own check, when this machine has it: a dynamically linked program is refused now.
        LibSandboxRun lib = null;
        try {
            lib = LibSandboxRun.get();
        } catch (NativeUnavailableException e) {
            // Submitting from another platform: the operator's launcher checks it on the cluster.
        }
        if (lib != null) {
            String why = lib.checkProgram(program);
            if (why != null) {
                throw new CliException(ExitCodes.LAUNCH_ERROR, program + ": " + why);
            }
        }
        return bytes;
    }

    /** This command's stdin, whole (it becomes text or a ConfigMap, so at most 1 MiB). */
    private byte[] readStdin() {
        Main.StdinSupply s = main.pipedStdin();
        try {
            byte[] b = (s == null ? System.in : s.stream()).readNBytes((int) CONFIGMAP_MAX + 1);
            if (b.length > CONFIGMAP_MAX - STDIN_KEY.length()) {
                throw new CliException(ExitCodes.BAD_INPUT, "--stdin -: more than a ConfigMap holds (1 MiB)");
            }
            return b;
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, "--stdin -: cannot read this command's stdin: " + e.getMessage());
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, "PROGRAM " + p + ": cannot read: " + e.getMessage());
        }
    }

    private static byte[] readFile(Path p, String what) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, what + " " + p + ": "
                    + (Files.exists(p) ? "cannot read: " + e.getMessage() : "no such file"));
        }
    }

    static ConfigMap ownedConfigMap(SandboxRun owner, String name, String key, byte[] bytes) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(owner.getMetadata().getNamespace())
                    // The run's UID, as the operator labels what it owns: a name can be longer
                    // than a label value may be (63 characters).
                    .addToLabels(RunObjects.LABEL_RUN, owner.getMetadata().getUid())
                    .addToLabels(RunObjects.LABEL_CREATED_BY, RunObjects.CREATED_BY_CLI)
                    .withOwnerReferences(RunObjects.owner(owner, false))
                .endMetadata()
                .withImmutable(true)
                .addToBinaryData(key, Base64.getEncoder().encodeToString(bytes))
                .build();
    }

    /** UTF-8 without NUL within the text limit, or null. */
    private static String asText(byte[] b) {
        if (b.length > STDIN_TEXT_MAX) {
            return null;
        }
        for (byte x : b) {
            if (x == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String generatedName(Path program) {
        String base = program.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-")
                .replaceAll("-+", "-").replaceAll("^-|-$", "");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
            base = "run-" + base;
        }
        if (base.length() > 40) {
            base = base.substring(0, 40).replaceAll("-$", "");
        }
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(base).append('-');
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
