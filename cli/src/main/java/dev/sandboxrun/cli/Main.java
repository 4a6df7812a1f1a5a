package dev.sandboxrun.cli;

import dev.sandboxrun.cli.command.DoctorCommand;
import dev.sandboxrun.cli.command.ExecCommand;
import dev.sandboxrun.cli.command.GetCommand;
import dev.sandboxrun.cli.command.LogsCommand;
import dev.sandboxrun.cli.command.RunCommand;
import dev.sandboxrun.cli.command.SubmitCommand;
import dev.sandboxrun.cli.cluster.ClusterOptions;
import dev.sandboxrun.cli.cluster.Connection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;

/** {@code sandboxrun}: SandboxRuns on this machine, and on a cluster. */
@Command(name = "sandboxrun", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run untrusted static programs under seccomp and hard limits: SandboxRuns on this machine "
                + "(run, exec) or on a Kubernetes cluster (submit, logs, get)."},
        footerHeading = "%nExit codes:%n", footer = ExitCodes.HELP)
public final class Main {
    /** Where commands write: the program's stdout is bytes, so streams, not writers. */
    private final OutputStream out;
    private final PrintStream err;
    private final Function<ClusterOptions, KubernetesClient> clients;
    /** The program's stdin when it is piped in (not a terminal), else null. */
    private final StdinSupply stdin;
    /** The API server of the last client made, named in cluster errors. */
    private volatile String server;

    /** Where a piped-in stdin can be read: a path the launcher opens, and the stream itself. */
    public record StdinSupply(String path, InputStream stream) {
    }

    public Main(OutputStream out, PrintStream err, Supplier<KubernetesClient> clients) {
        this(out, err, o -> clients.get(), null);
    }

    public Main(OutputStream out, PrintStream err, Function<ClusterOptions, KubernetesClient> clients, StdinSupply stdin) {
        this.out = out;
        this.err = err;
        this.clients = clients;
        this.stdin = stdin;
    }

    /** This process's stdin when it does not come from a terminal (a pipe, a file, /dev/null), else null. */
    public StdinSupply pipedStdin() {
        return stdin;
    }

    public OutputStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** A client for the cluster the options name (or the tests' mock server). */
    public KubernetesClient client(ClusterOptions options) {
        try {
            KubernetesClient c = clients.apply(options);
            server = c.getMasterUrl() == null ? null : c.getMasterUrl().toString();
            return c;
        } catch (KubernetesClientException e) {
            throw new CliException(ExitCodes.CLUSTER, "cannot connect to the cluster: " + Connection.cause(e));
        }
    }

    /** The name usage lines show: {@code kubectl sandboxrun} when run as the kubectl plugin. */
    public static final String NAME_PROPERTY = "sandboxrun.name";

    public static void main(String[] args) {
        // stdout unbuffered as bytes: a program's output is passed on as it comes.
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        StdinSupply stdin = StdinProbe.isTerminal() ? null : new StdinSupply(StdinProbe.PATH, System.in);
        int rc = run(new Main(out, err, Connection::open, stdin), args);
        System.exit(rc);
    }

    /** Parses and runs one command line; never throws, never prints a stack trace unless asked. */
    public static int run(Main main, String... args) {
        CommandLine cl = commandLine(main, args);
        return cl.execute(args);
    }

    /** The verbs, in the order help lists them. */
    private static final Map<String, Class<?>> VERBS = new LinkedHashMap<>();

    static {
        VERBS.put("run", RunCommand.class);
        VERBS.put("exec", ExecCommand.class);
        VERBS.put("submit", SubmitCommand.class);
        VERBS.put("logs", LogsCommand.class);
        VERBS.put("get", GetCommand.class);
        VERBS.put("doctor", DoctorCommand.class);
        VERBS.put("help", CommandLine.HelpCommand.class);
    }

    /**
     * The command line for these arguments. Only the verb they name is built (picocli reads each
     * command's annotations by reflection: building all six cost a tenth of a second of every
     * start); without a known verb (help, a typo), all are.
     */
    public static CommandLine commandLine(Main main, String... args) {
        CommandLine cl = new CommandLine(main, new Factory(main));
        String name = System.getProperty(NAME_PROPERTY);
        if (name != null && !name.isBlank()) {
            cl.setCommandName(name);
        }
        String verb = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                verb = a;
                break;
            }
        }
        Factory factory = new Factory(main);
        for (Map.Entry<String, Class<?>> e : VERBS.entrySet()) {
            if (verb == null || !VERBS.containsKey(verb) || verb.equals("help") || verb.equals(e.getKey())) {
                cl.addSubcommand(e.getKey(), new CommandLine(e.getValue(), factory));
            }
        }
        cl.setOut(new PrintWriter(main.out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(main.err, true, StandardCharsets.UTF_8));
        // exec PROGRAM -x: what follows the program belongs to it.
        CommandLine exec = cl.getSubcommands().get("exec");
        if (exec != null) {
            exec.setStopAtPositional(true);
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintStream e = main.err;
            if (ex instanceof CliException c) {
                e.println("sandboxrun: " + c.getMessage());
                return c.exitCode();
            }
            if (ex instanceof KubernetesClientException k) {
                e.println("sandboxrun: cluster: " + Connection.describe(k, server(main)));
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

    /** The API server a failed command talked to, for its error message. */
    private static String server(Main main) {
        return main.server != null ? main.server : "the kubeconfig's server";
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

    /** The version Maven wrote into {@code sandboxrun-version.properties} (a filtered resource). */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"sandboxrun " + version()};
        }

        public static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/sandboxrun-version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("sandboxrun-version.properties is missing from the build");
                }
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("sandboxrun-version.properties cannot be read", e);
            }
            String v = p.getProperty("version");
            String commit = p.getProperty("commit", "");
            return commit.isBlank() || commit.startsWith("${") ? v : v + " (" + commit + ")";
        }
    }
}
