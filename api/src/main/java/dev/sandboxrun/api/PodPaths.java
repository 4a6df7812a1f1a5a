package dev.sandboxrun.api;

/**
 * Where a sandbox pod holds the program and stdin, as the launcher is told: the operator mounts
 * them there, and the CLI shows the same command when it runs a spec locally.
 */
public final class PodPaths {
    public static final String PROGRAM_DIR = "/sandbox/program";
    public static final String PROGRAM_FILE = "program";
    /** The program from a ConfigMap or Secret. */
    public static final String PROGRAM_PATH = PROGRAM_DIR + "/" + PROGRAM_FILE;
    public static final String IMAGE_DIR = "/sandbox/image";
    public static final String STDIN_DIR = "/sandbox/stdin";
    public static final String STDIN_FILE = "stdin";

    private PodPaths() {
    }

    /** Where the launcher finds the program inside the pod. */
    public static String programPath(SandboxRunSpec spec) {
        ProgramSource p = spec.getProgram();
        if (p.getImage() != null) {
            return IMAGE_DIR + p.getImage().getPath();
        }
        return PROGRAM_PATH;
    }

    /** Where part i of a program in parts is inside the pod. */
    public static String partPath(int index) {
        return PROGRAM_DIR + "/part-" + index;
    }

    /**
     * The program as the launcher gets it: its file, or its parts in order (argv[0] then is the
     * path a single-file program would have), with spec.program.sha256 when given.
     */
    public static LauncherCommand.Program program(SandboxRunSpec spec) {
        ProgramSource p = spec.getProgram();
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (p.getParts() != null) {
            for (int i = 0; i < p.getParts().size(); i++) {
                parts.add(partPath(i));
            }
        }
        return new LauncherCommand.Program(programPath(spec), parts, p.getSha256());
    }

    /** Where the launcher finds stdin inside the pod, or null for empty stdin. */
    public static String stdinPath(SandboxRunSpec spec) {
        StdinSource s = spec.getStdin();
        if (s == null || (s.getText() == null && s.getConfigMap() == null && s.getSecret() == null)) {
            return null;
        }
        return STDIN_DIR + "/" + STDIN_FILE;
    }
}
