package dev.sandboxrun.cli;

import dev.sandboxrun.api.Verdict;

/**
 * The CLI's exit status, one code per kind of failure (README "Exit codes"). A run's verdict maps
 * to the code of its kind; several runs exit with the code of the first that did not complete.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int NON_ZERO_EXIT = 1;
    /** The command line is wrong (picocli's usage code). */
    public static final int USAGE = 2;
    public static final int SIGNALED = 3;
    public static final int CPU_TIME_LIMIT = 4;
    public static final int WALL_TIME_LIMIT = 5;
    public static final int MEMORY_LIMIT = 6;
    public static final int OUTPUT_LIMIT = 7;
    public static final int SYSCALL_VIOLATION = 8;
    /** The program cannot run (e.g. dynamically linked) or the launcher failed. */
    public static final int LAUNCH_ERROR = 9;
    /** A spec that cannot be run as written (bad limits, an image program locally). */
    public static final int INVALID_SPEC = 10;
    /** A program or stdin reference names a ConfigMap, Secret or key that is not there. */
    public static final int PROGRAM_NOT_FOUND = 11;
    /** Unreadable files, YAML errors, nothing to run. */
    public static final int BAD_INPUT = 12;
    /** This machine cannot run sandboxes (platform, kernel). */
    public static final int UNSUPPORTED = 13;
    /** The cluster could not be reached or refused a request. */
    public static final int CLUSTER = 14;
    /** stdout could not be reassembled or its SHA-256 does not match. */
    public static final int STDOUT_NOT_VERIFIED = 15;
    /** The operator gave up on the run's infrastructure (eviction, node loss) after its retries. */
    public static final int INFRASTRUCTURE = 16;
    /** get / logs: no such SandboxRun. */
    public static final int NOT_FOUND = 17;
    /** logs: the run has not finished; submit --wait: the wait timed out. */
    public static final int NOT_FINISHED = 18;
    /** The ./sandboxrun script could not build the CLI (its log says why); never a program's verdict. */
    public static final int BUILD_FAILED = 19;
    /** A bug in the CLI. */
    public static final int INTERNAL = 70;
    /**
     * stdout's reader went away (a closed pipe, as with {@code | head}): the program was stopped and
     * nothing more is said, as a shell reports a process killed by SIGPIPE (128 + 13).
     */
    public static final int BROKEN_PIPE = 141;

    /** The table --help prints (and docs/cli.md repeats); picocli turns %n into line ends. */
    public static final String HELP =
            "  0  Completed (every run)      1  NonZeroExit           2  bad command line%n" +
            "  3  Signaled                   4  CpuTimeLimitExceeded  5  WallTimeLimitExceeded%n" +
            "  6  MemoryLimitExceeded        7  OutputLimitExceeded   8  SyscallViolation%n" +
            "  9  LaunchError (e.g. a dynamically linked program)    10  InvalidSpec (a limit or field refused)%n" +
            " 11  ProgramNotFound (a missing ConfigMap, Secret, key or local file)%n" +
            " 12  bad input (unreadable file, YAML error, not a program)%n" +
            " 13  this machine cannot run sandboxes                  14  cluster error%n" +
            " 15  stdout not verified        16  InfrastructureFailure 17  no such SandboxRun%n" +
            " 18  not finished (yet)         19  ./sandboxrun could not build the CLI%n" +
            " 70  a bug in sandboxrun       141  stdout's reader went away (| head): the program was stopped%n" +
            "Several runs: the code of the first that did not complete.";

    private ExitCodes() {
    }

    public static int of(Verdict v) {
        if (v == null) {
            return NOT_FINISHED;
        }
        return switch (v) {
            case Completed -> OK;
            case NonZeroExit -> NON_ZERO_EXIT;
            case Signaled -> SIGNALED;
            case CpuTimeLimitExceeded -> CPU_TIME_LIMIT;
            case WallTimeLimitExceeded -> WALL_TIME_LIMIT;
            case MemoryLimitExceeded -> MEMORY_LIMIT;
            case OutputLimitExceeded -> OUTPUT_LIMIT;
            case SyscallViolation -> SYSCALL_VIOLATION;
            case LaunchError -> LAUNCH_ERROR;
            case InvalidSpec -> INVALID_SPEC;
            case ProgramNotFound -> PROGRAM_NOT_FOUND;
            case InfrastructureFailure -> INFRASTRUCTURE;
        };
    }

    public static int of(String verdict) {
        if (verdict == null) {
            return NOT_FINISHED;
        }
        try {
            return of(Verdict.valueOf(verdict));
        } catch (IllegalArgumentException e) {
            return INTERNAL;
        }
    }
}
