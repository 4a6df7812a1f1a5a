package dev.sandboxrun.launcherimage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One sandbox pod, as the operator builds it (operator/.../pod/SandboxPods.java), run by podman:
 * <ul>
 *   <li>command {@code /sandbox-launch} with the options in LauncherCommand's fixed order, every limit
 *       explicit, {@code --result=/dev/termination-log}, {@code --}, the program and its arguments;</li>
 *   <li>the program at {@code /sandbox/program/program} (a read-only volume, mode 0555), stdin (when
 *       given) at {@code /sandbox/stdin/stdin} (read-only, mode 0444);</li>
 *   <li>a writable {@code /dev/termination-log}, working directory {@code /};</li>
 *   <li>uid/gid 65534, read-only root file system, all capabilities dropped, no privilege escalation,
 *       the runtime's default seccomp filter (RuntimeDefault), no network (the chart's NetworkPolicy
 *       denies all traffic to and from sandbox pods);</li>
 *   <li>memory limit = the run's memory + 16Mi (sandboxrun.launcher.memory-overhead), no swap, 1 CPU
 *       (the default cores), and a pids limit.</li>
 * </ul>
 */
final class SandboxPodRun {
    static final String LAUNCHER = "/sandbox-launch";
    static final String PROGRAM = "/sandbox/program/program";
    static final String STDIN = "/sandbox/stdin/stdin";
    static final String TERMINATION_LOG = "/dev/termination-log";
    static final long OVERHEAD = 16L << 20;
    static final ObjectMapper JSON = new ObjectMapper();

    final Path binary;
    final List<String> args = new ArrayList<>();
    String stdin;
    String profile = "compute";
    long cpuMs = 2000;
    long wallMs = 5000;
    long memoryBytes = 64L << 20;
    long stdoutMax = 1L << 20;
    /** The container's memory limit; by default the operator's: memory + overhead. */
    Long containerMemory;
    int pidsLimit = 64;

    SandboxPodRun(Path binary, String... args) {
        this.binary = binary;
        this.args.addAll(List.of(args));
    }

    SandboxPodRun stdin(String text) {
        this.stdin = text;
        return this;
    }

    SandboxPodRun memory(long launcherBytes, long containerBytes) {
        this.memoryBytes = launcherBytes;
        this.containerMemory = containerBytes;
        return this;
    }

    /** The launcher's argv after argv[0], as LauncherCommand.argv builds it. */
    List<String> launcherArgs() {
        List<String> a = new ArrayList<>();
        a.add("--profile=" + profile);
        a.add("--cpu-ms=" + cpuMs);
        a.add("--wall-ms=" + wallMs);
        a.add("--memory=" + memoryBytes);
        a.add("--stdout-max=" + stdoutMax);
        if (stdin != null) {
            a.add("--stdin=" + STDIN);
        }
        a.add("--result=" + TERMINATION_LOG);
        a.add("--");
        a.add(PROGRAM);
        a.addAll(args);
        return a;
    }

    /** What came out: the container's stdout (= the pod's log), the termination message, podman's state. */
    record Outcome(Podman.Result process, String terminationMessage, boolean oomKilled, int containerExitCode,
                   String command) {
        JsonNode result() {
            try {
                return JSON.readTree(terminationMessage);
            } catch (IOException e) {
                throw new AssertionError("the termination message is not JSON: '" + terminationMessage + "'\n"
                        + process.describe(List.of(command)), e);
            }
        }

        String stdout() {
            return process.out();
        }

        @Override
        public String toString() {
            return command + "\n  exit " + process.exitCode() + ", OOMKilled " + oomKilled + "\n  stdout: " + stdout()
                    + "\n  stderr: " + process.stderr() + "\n  termination message: " + terminationMessage;
        }
    }

    Outcome run(String image, Path work) throws IOException {
        Path dir = Files.createDirectories(work.resolve(UUID.randomUUID().toString()));
        Path programDir = Files.createDirectories(dir.resolve("program"));
        Path program = programDir.resolve("program");
        Files.copy(binary, program);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(programDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path termination = dir.resolve("termination-log");
        Files.createFile(termination);
        Files.setPosixFilePermissions(termination, PosixFilePermissions.fromString("rw-rw-rw-"));

        long memory = containerMemory != null ? containerMemory : memoryBytes + OVERHEAD;
        String name = "sandboxrun-test-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> podman = new ArrayList<>(List.of("run", "--name", name));
        podman.addAll(Podman.HOST_FLAGS);
        podman.addAll(List.of(
                "--user", "65534:65534",
                "--read-only",
                "--cap-drop=ALL",
                "--security-opt", "no-new-privileges",
                "--network=none",
                "--memory=" + memory, "--memory-swap=" + memory,
                "--cpus=1",
                "--pids-limit=" + pidsLimit,
                "--workdir=/",
                "--volume=" + programDir + ":/sandbox/program:ro",
                "--volume=" + termination + ":" + TERMINATION_LOG + ":rw"));
        if (stdin != null) {
            Path stdinDir = Files.createDirectories(dir.resolve("stdin"));
            Path file = stdinDir.resolve("stdin");
            Files.writeString(file, stdin, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
            Files.setPosixFilePermissions(stdinDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            podman.add("--volume=" + stdinDir + ":/sandbox/stdin:ro");
        }
        podman.addAll(List.of("--entrypoint", LAUNCHER, image));
        podman.addAll(launcherArgs());
        String command = String.join(" ", Podman.prefixed(podman));
        try {
            Podman.Result r = Podman.run(podman, 120);
            if (r.exitCode() >= 125) {
                throw new AssertionError("The container runtime could not run the sandbox container ("
                        + Podman.INSTALL_HINT + "):\n" + r.describe(Podman.prefixed(podman)));
            }
            Podman.Result state = Podman.ok(List.of("inspect", name, "--format",
                    "{{.State.OOMKilled}} {{.State.ExitCode}}"), 60);
            String[] s = state.out().trim().split(" ");
            return new Outcome(r, Files.readString(termination, StandardCharsets.UTF_8),
                    Boolean.parseBoolean(s[0]), Integer.parseInt(s[1]), command);
        } finally {
            Podman.run(List.of("rm", "--force", name), 60);
        }
    }
}
