package dev.sandboxrun.operator;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * The operator alone in a JVM of its own ({@link MemoryBench}): its heap and RSS are then the
 * operator's, not the mock API server's and the simulated node's that share the test's JVM.
 * Arguments: the API server's URL, the reconcile threads, then {@code key=value} operator settings.
 * Runs until its standard input ends (the bench closing it, or the bench's JVM gone).
 */
public final class OperatorProcess {
    private OperatorProcess() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        // Logging as Quarkus sets it up (INFO). The JBoss LogManager unconfigured enables TRACE, and
        // Fabric8 then adds its HttpLoggingInterceptor to every client it builds: that one keeps a
        // copy of up to 2 MiB of each text answer until the answer ends, a follow read's for the
        // whole run (about 2 MiB a follower), which the deployed operator does not have.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        boolean trace = org.slf4j.LoggerFactory.getLogger(io.fabric8.kubernetes.client.http.HttpLoggingInterceptor.class)
                .isTraceEnabled();
        // The same client settings as the tests' operator client: a 5xx answer retried 3 times.
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl(args[0]).withTrustCerts(true).withRequestRetryBackoffLimit(3).build()).build();
             PlainOperator op = PlainOperator.start(client, values, Integer.parseInt(args[1]))) {
            System.out.println("operator started; Fabric8 HTTP trace logging " + (trace ? "on" : "off"));
            System.out.flush();
            while (System.in.read() >= 0) {
                // the bench says nothing; the end of the stream is the signal to stop
            }
        }
        System.exit(0);
    }
}
