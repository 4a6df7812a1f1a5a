package dev.sandboxrun.cli;

import dev.sandboxrun.cli.command.DoctorCommand;
import dev.sandboxrun.cli.command.ExecCommand;
import dev.sandboxrun.cli.command.GetCommand;
import dev.sandboxrun.cli.command.LogsCommand;
import dev.sandboxrun.cli.command.RunCommand;
import dev.sandboxrun.cli.command.SubmitCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** {@code sandboxrun}: SandboxRuns on this machine, and on a cluster. */
@Command(name = "sandboxrun", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run untrusted static programs under seccomp and hard limits: SandboxRuns on this machine "
                + "(run, exec) or on a Kubernetes cluster (submit, logs, get)."},
        subcommands = {RunCommand.class, ExecCommand.class, SubmitCommand.class, LogsCommand.class,
                GetCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  every run Completed        1  NonZeroExit          2  bad command line",
                "  3  Signaled                   4  CpuTimeLimitExceeded 5  WallTimeLimitExceeded",
                "  6  MemoryLimitExceeded        7  OutputLimitExceeded  8  SyscallViolation",
                "  9  LaunchError (e.g. a dynamically linked program)   10  InvalidSpec",
                " 11  ProgramNotFound (a missing ConfigMap, Secret or key)",
                " 12  bad input (unreadable file, YAML error)           13  this machine cannot run sandboxes",
                " 14  cluster error   15  stdout not verified   16  InfrastructureFailure",
                " 17  no such SandboxRun   18  not finished (yet)      70  a bug in sandboxrun",
                "Several runs: the code of the first that did not complete."})
public final class Main {
    /** Where commands write: the program's stdout is bytes, so streams, not writers. */
    private final OutputStream out;
    private final PrintStream err;
    private final Supplier<KubernetesClient> clients;

    public Main(OutputStream out, PrintStream err, Supplier<KubernetesClient> clients) {
        this.out = out;
        this.err = err;
        this.clients = clients;
    }

    public OutputStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** A client for the current kubeconfig (or the tests' mock server). */
    public KubernetesClient client() {
        try {
            return clients.get();
        } catch (KubernetesClientException e) {
            throw new CliException(ExitCodes.CLUSTER, "cannot connect to the cluster: " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        // stdout unbuffered as bytes: a program's output is passed on as it comes.
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int rc = run(new Main(out, err, () -> new KubernetesClientBuilder().build()), args);
        System.exit(rc);
    }

    /** Parses and runs one command line; never throws, never prints a stack trace unless asked. */
    public static int run(Main main, String... args) {
        CommandLine cl = commandLine(main);
        return cl.execute(args);
    }

    public static CommandLine commandLine(Main main) {
        CommandLine cl = new CommandLine(main, new Factory(main));
        cl.setOut(new PrintWriter(main.out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(main.err, true, StandardCharsets.UTF_8));
        // exec PROGRAM -x: what follows the program belongs to it.
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintStream e = main.err;
            if (ex instanceof CliException c) {
                e.println("sandboxrun: " + c.getMessage());
                return c.exitCode();
            }
            if (ex instanceof KubernetesClientException k) {
                e.println("sandboxrun: cluster: " + clusterMessage(k));
                return ExitCodes.CLUSTER;
            }
            e.println("sandboxrun: internal error: " + ex);
            if (System.getenv("SANDBOXRUN_DEBUG") != null) {
                ex.printStackTrace(e);
            } else {
                e.println("sandboxrun: (set SANDBOXRUN_DEBUG=1 for the stack trace, and report it)");
            }
            return ExitCodes.INTERNAL;
        });
        return cl;
    }

    static String clusterMessage(KubernetesClientException k) {
        if (k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage() + " (HTTP " + k.getCode() + ")";
        }
        Throwable root = k;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return k.getMessage() + (root != k ? " (" + root + ")" : "");
    }

    /** Lets subcommands receive the Main they run under. */
    private record Factory(Main main) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == Main.class) {
                return cls.cast(main);
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"sandboxrun " + (v == null ? "(development build)" : v)};
        }
    }
}
