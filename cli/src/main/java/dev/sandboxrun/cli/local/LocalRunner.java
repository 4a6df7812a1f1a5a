package dev.sandboxrun.cli.local;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.LauncherCommand;
import dev.sandboxrun.api.PodPaths;
import dev.sandboxrun.api.PartRef;
import dev.sandboxrun.api.ProgramSource;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunSpec;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.SourceKeys;
import dev.sandboxrun.api.SpecValidation;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.StdinSource;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.cli.nativelib.LibSandboxRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs a SandboxRun on this machine as the operator would run it in a pod: the same limits
 * (EffectiveLimits with the launcher contract's defaults), the same launcher options
 * (LauncherCommand), the same argv[0], the same result, the same status (StatusMapper).
 */
public final class LocalRunner {
    /**
     * For local runs only: ConfigMap or Secret keys filled from files beside the YAML, as
     * {@code "KEY=PATH[,KEY=PATH]..."} (PATH relative to the YAML file's folder). A key that the
     * document itself has (binaryData, data, stringData) wins; a cluster ignores the annotation.
     */
    public static final String LOCAL_FILES_ANNOTATION = "sandboxrun.dev/local-files";
    /** What the program sees as argv[0], as in the operator's pod (PodPaths.programPath). */
    public static final String POD_PROGRAM_PATH = PodPaths.PROGRAM_PATH;
    /** The name argv[0] shows in the equivalent launcher command line. */
    public static final String LAUNCHER = "sandbox-launch";

    private final LibSandboxRun lib;
    private final EffectiveLimits.Defaults defaults;
    private final EffectiveLimits.Ceilings ceilings;
    private final Clock clock;
    private boolean allowFilesOutside;

    public LocalRunner(LibSandboxRun lib) {
        this(lib, EffectiveLimits.Defaults.CONTRACT, EffectiveLimits.Ceilings.NONE, Clock.systemUTC());
    }

    /** Lets the local-files annotation name files outside the YAML's own folder. */
    public LocalRunner allowFilesOutside(boolean allow) {
        this.allowFilesOutside = allow;
        return this;
    }

    public LocalRunner(LibSandboxRun lib, EffectiveLimits.Defaults defaults, EffectiveLimits.Ceilings ceilings,
                       Clock clock) {
        this.lib = lib;
        this.defaults = defaults;
        this.ceilings = ceilings;
        this.clock = clock;
    }

    /**
     * How a run ended: the resource with its status, its verdict, and what the library said (null
     * when nothing was started: an invalid spec, a missing source).
     */
    public record Outcome(SandboxRun run, Verdict verdict, LibSandboxRun.Outcome nativeOutcome,
                          List<String> launcherCommand) {
        /** stdout's reader went away (a closed pipe): the program was stopped for that. */
        public boolean readerGone() {
            return nativeOutcome != null && StdoutErrors.isBrokenPipe(nativeOutcome.consumerError());
        }
    }

    /** A source that could not be resolved: the verdict and message the status gets. */
    private static final class Unresolved extends Exception {
        final Verdict verdict;

        Unresolved(Verdict verdict, String message) {
            super(message);
            this.verdict = verdict;
        }
    }

    /** The limits of a spec here; IllegalArgumentException naming the field when one is invalid. */
    public EffectiveLimits limits(SandboxRunSpec spec) {
        EffectiveLimits l = EffectiveLimits.resolveWithin(spec, defaults, ceilings);
        List<String> over = localCeilingProblems(l);
        if (!over.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", over));
        }
        return l;
    }

    /**
     * This machine's own ceiling: no more memory than it has (a cluster's operator sets its own
     * ceilings; a local run has the machine's).
     */
    public static List<String> localCeilingProblems(EffectiveLimits l) {
        long total = MachineMemory.totalBytes();
        if (total > 0 && l.memoryBytes() > total) {
            return List.of("limits.memory " + l.memoryBytes() + " bytes is more than this machine has ("
                    + total + " bytes)");
        }
        return List.of();
    }

    /**
     * Runs one SandboxRun document of {@code m}; its stdout goes to {@code stdout} as it comes.
     * {@code cancelFd}: readable stops the run; -1 for none.
     */
    public Outcome run(Manifests m, Manifests.Document doc, OutputStream stdout, int cancelFd) {
        SandboxRun run = (SandboxRun) doc.resource();
        SandboxRunStatus status = freshStatus(run);
        SandboxRunSpec spec = run.getSpec();
        List<String> problems = SpecValidation.problems(run);
        if (!problems.isEmpty()) {
            // What the API server would refuse at admission; locally it is the run's InvalidSpec.
            return finish(run, Verdict.InvalidSpec, String.join("; ", problems));
        }
        EffectiveLimits limits;
        try {
            limits = limits(spec);
        } catch (IllegalArgumentException e) {
            return finish(run, Verdict.InvalidSpec, e.getMessage());
        }
        byte[] program;
        byte[] stdin;
        try {
            program = programBytes(m, doc, allowFilesOutside);
            stdin = stdinBytes(m, doc, allowFilesOutside);
        } catch (Unresolved u) {
            return finish(run, u.verdict, u.getMessage());
        }
        String origin = programOrigin(spec);
        // The digest is checked here, as the launcher checks it in a pod, before anything runs.
        String sha256 = StdoutLayout.sha256(program);
        String mismatch = ProgramDigest.mismatch(spec.getProgram(), sha256);
        if (mismatch != null) {
            return finish(run, Verdict.LaunchError, "program: " + origin + ": " + mismatch);
        }
        String notElf = ProgramFiles.notElf(java.util.Arrays.copyOf(program, Math.min(64, program.length)),
                programKey(spec.getProgram()));
        if (notElf != null) {
            return finish(run, Verdict.LaunchError, "program: " + origin + " " + notElf);
        }
        Path dir = null;
        try {
            dir = TempDirs.create();
            Path prog = dir.resolve("program");
            Files.write(prog, program);
            // The folder keeps everyone else out. Running as root, the launcher drops to an
            // unprivileged uid before its one exec, which needs the execute bit for others.
            Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString(
                    isRoot() ? "r-xr-xr-x" : "r-x------"));
            Path in = null;
            if (stdin != null) {
                in = dir.resolve("stdin");
                Files.write(in, stdin);
                Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("r--------"));
            }
            List<String> argv = new ArrayList<>();
            argv.add(POD_PROGRAM_PATH);
            if (spec.getArgs() != null) {
                argv.addAll(spec.getArgs());
            }
            Outcome o = execute(run, limits, prog.toString(), argv, in == null ? null : in.toString(), stdout, cancelFd);
            // The launcher names the file it was given; the user knows the program by its YAML key.
            String msg = o.run().getStatus().getMessage();
            if (msg != null && msg.contains(prog.toString())) {
                o.run().getStatus().setMessage(msg.replace(prog.toString(), origin));
            }
            if (o.run().getStatus().getProgramSha256() == null) {
                o.run().getStatus().setProgramSha256(sha256);   // what ran: these bytes, checked above
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the run's files", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Runs a program that is already a file: {@code argv.get(0)} is what it sees as its name.
     * Writes the status into {@code run} and returns it.
     */
    public Outcome execute(SandboxRun run, EffectiveLimits limits, String program, List<String> argv,
                           String stdinPath, OutputStream stdout, int cancelFd) {
        SandboxRunStatus status = run.getStatus() == null ? freshStatus(run) : run.getStatus();
        Outcome o = execute(status, limits, program, argv, stdinPath, stdout, cancelFd);
        return new Outcome(run, o.verdict(), o.nativeOutcome(), o.launcherCommand());
    }

    /**
     * The same into a bare status ({@link Outcome#run()} is null): {@code exec} makes a resource
     * only when it prints one, which keeps Fabric8's resource machinery out of its start-up.
     */
    public Outcome execute(SandboxRunStatus status, EffectiveLimits limits, String program, List<String> argv,
                           String stdinPath, OutputStream stdout, int cancelFd) {
        LibSandboxRun.Request req = LibSandboxRun.Request.of(limits, program, argv, stdinPath, cancelFd);
        List<String> command = LauncherCommand.argv(LAUNCHER, limits, argv.get(0), argv.subList(1, argv.size()),
                stdinPath, null);
        StatusMapper.running(status, null, 1, clock.instant());
        LibSandboxRun.Outcome o = lib.run(req, stdout, StatusMapper.PREVIEW_BYTES + 4);
        String note = null;
        if (StdoutErrors.isBrokenPipe(o.consumerError())) {
            note = "stopped after " + o.result().stdoutBytes() + " bytes of stdout: its reader went away (a closed pipe)";
        } else if (o.consumerError() != null) {
            note = "stdout could not be passed on: " + o.consumerError().getMessage();
        } else if (!o.stdoutVerified()) {
            note = "stdout not verified: the bytes received differ from the launcher's count or SHA-256";
        }
        StatusMapper.applyResult(status, o.result(), new StatusMapper.CollectedStdout(o.head(), List.of(),
                o.stdoutVerified() && o.consumerError() == null, note), clock.instant());
        return new Outcome(null, status.getVerdict(), o, command);
    }

    private Outcome finish(SandboxRun run, Verdict v, String message) {
        StatusMapper.applyVerdict(run.getStatus(), v, message, clock.instant());
        return new Outcome(run, v, null, null);
    }

    private static SandboxRunStatus freshStatus(SandboxRun run) {
        SandboxRunStatus s = new SandboxRunStatus();
        Long gen = run.getMetadata() == null ? null : run.getMetadata().getGeneration();
        s.setObservedGeneration(gen == null ? 1L : gen);   // a resource just created is at generation 1
        run.setStatus(s);
        return s;
    }

    /** The key the program's first bytes come from (its name, for telling source code from a program). */
    private static String programKey(ProgramSource p) {
        if (p.getParts() != null) {
            return p.getParts().get(0).ref().getKey();
        }
        return p.getConfigMap() != null ? p.getConfigMap().getKey() : p.getSecret().getKey();
    }

    /** How the user knows the program: the ConfigMap or Secret and its key, or its parts. */
    private static String programOrigin(SandboxRunSpec spec) {
        ProgramSource p = spec.getProgram();
        if (p.getParts() != null) {
            return p.getParts().size() + " parts (" + p.getParts().get(0) + ", ...)";
        }
        KeyRef r = p.getConfigMap() != null ? p.getConfigMap() : p.getSecret();
        return (p.getConfigMap() != null ? "configMap " : "secret ") + r.getName() + " key " + r.getKey();
    }

    private static byte[] programBytes(Manifests m, Manifests.Document doc, boolean outside) throws Unresolved {
        ProgramSource p = ((SandboxRun) doc.resource()).getSpec().getProgram();
        if (p == null) {
            throw new Unresolved(Verdict.InvalidSpec, "spec.program is required");
        }
        if (p.sourceCount() != 1) {
            throw new Unresolved(Verdict.InvalidSpec, "program needs exactly one source: configMap, secret, image or parts");
        }
        if (p.getImage() != null) {
            throw new Unresolved(Verdict.InvalidSpec, "spec.program.image (" + p.getImage().getReference()
                    + ") runs only on a cluster (`sandboxrun submit` or kubectl apply); locally, give the program"
                    + " in a ConfigMap or Secret");
        }
        if (p.getParts() != null) {
            // Concatenated in order, as the launcher assembles them in a pod.
            java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < p.getParts().size(); i++) {
                PartRef part = p.getParts().get(i);
                whole.writeBytes(key(m, doc, "program.parts[" + i + "]", part.isSecret() ? Secret.class : ConfigMap.class,
                        part.ref(), outside));
            }
            return whole.toByteArray();
        }
        return p.getConfigMap() != null ? key(m, doc, "program", ConfigMap.class, p.getConfigMap(), outside)
                : key(m, doc, "program", Secret.class, p.getSecret(), outside);
    }

    private static byte[] stdinBytes(Manifests m, Manifests.Document doc, boolean outside) throws Unresolved {
        StdinSource s = ((SandboxRun) doc.resource()).getSpec().getStdin();
        if (s == null) {
            return null;
        }
        int sources = (s.getText() != null ? 1 : 0) + (s.getConfigMap() != null ? 1 : 0) + (s.getSecret() != null ? 1 : 0);
        if (sources > 1) {
            throw new Unresolved(Verdict.InvalidSpec, "stdin takes at most one source: text, configMap or secret");
        }
        if (s.getText() != null) {
            return s.getText().getBytes(StandardCharsets.UTF_8);
        }
        if (s.getConfigMap() != null) {
            return key(m, doc, "stdin", ConfigMap.class, s.getConfigMap(), outside);
        }
        if (s.getSecret() != null) {
            return key(m, doc, "stdin", Secret.class, s.getSecret(), outside);
        }
        return null;
    }

    /** The bytes of a ConfigMap or Secret key among the documents, or a message naming what is missing. */
    private static byte[] key(Manifests m, Manifests.Document run, String what, Class<? extends HasMetadata> kind,
                              KeyRef ref, boolean outside) throws Unresolved {
        String kindName = kind == ConfigMap.class ? "configMap" : "secret";
        if (ref.getName() == null || ref.getKey() == null) {
            throw new Unresolved(Verdict.InvalidSpec, what + "." + kindName + " needs name and key");
        }
        String ns = run.namespace();
        Manifests.Document d = m.find(kind, ns, ref.getName());
        if (d == null) {
            throw new Unresolved(Verdict.ProgramNotFound, what + ": " + kindName + " " + ref.getName()
                    + " not found (namespace " + ns + "; none of the given files has it)");
        }
        TreeSet<String> keys = new TreeSet<>();
        try {
            List<SourceKeys.Field> fields = d.resource() instanceof ConfigMap cm ? SourceKeys.fields(cm)
                    : SourceKeys.fields((Secret) d.resource());
            fields.stream().filter(f -> f.values() != null).forEach(f -> keys.addAll(f.values().keySet()));
            byte[] b = SourceKeys.value(fields, ref.getKey());
            if (b != null) {
                return b;
            }
        } catch (IllegalArgumentException e) {
            throw new Unresolved(Verdict.InvalidSpec, d.where() + ": " + e.getMessage());
        }
        Path local = localFile(d, ref.getKey(), keys);
        if (local != null && !outside) {
            String why = LocalFiles.outsideReason(d.file(), local);
            if (why != null) {
                throw new Unresolved(Verdict.InvalidSpec, what + ": " + kindName + " " + ref.getName() + " key "
                        + ref.getKey() + ": the annotation " + LOCAL_FILES_ANNOTATION + " names " + local + ", "
                        + why + "; local files must be inside the YAML's own folder (" + d.file().toAbsolutePath()
                        .getParent() + ") unless `run --allow-files-outside` is given");
            }
        }
        if (local != null) {
            if (!Files.isRegularFile(local)) {
                String hint = Files.exists(local.resolveSibling("Makefile"))
                        ? "; build it with `make -C " + local.getParent() + "`" : "; build it first";
                throw new Unresolved(Verdict.ProgramNotFound, what + ": " + kindName + " " + ref.getName() + " key "
                        + ref.getKey() + " comes from the local file " + local + " (annotation "
                        + LOCAL_FILES_ANNOTATION + "), which does not exist" + hint);
            }
            try {
                return Files.readAllBytes(local);
            } catch (IOException e) {
                throw new Unresolved(Verdict.ProgramNotFound, what + ": cannot read " + local + ": " + e.getMessage());
            }
        }
        throw new Unresolved(Verdict.ProgramNotFound, what + ": " + kindName + " " + ref.getName() + " ("
                + d.where() + ") has no key " + ref.getKey() + (keys.isEmpty() ? " (it has no keys)" : " (it has: "
                + String.join(", ", keys) + ")"));
    }

    /** The local file the annotation names for this key, or null. */
    private static Path localFile(Manifests.Document d, String key, TreeSet<String> keys) {
        Map<String, String> ann = d.resource().getMetadata().getAnnotations();
        String spec = ann == null ? null : ann.get(LOCAL_FILES_ANNOTATION);
        if (spec == null) {
            return null;
        }
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = entry.substring(0, eq).trim();
            keys.add(k);
            if (k.equals(key)) {
                Path base = d.file().toAbsolutePath().getParent();
                return base.resolve(entry.substring(eq + 1).trim()).normalize();
            }
        }
        return null;
    }

    static boolean isRoot() {
        return dev.sandboxrun.cli.nativelib.Libc.INSTANCE.geteuid() == 0;
    }

    private static void deleteQuietly(Path dir) {
        TempDirs.delete(dir);
    }
}
