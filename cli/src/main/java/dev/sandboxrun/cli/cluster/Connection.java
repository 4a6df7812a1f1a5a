package dev.sandboxrun.cli.cluster;

import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.EOFException;
import java.io.File;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A client for the cluster the options (or the kubeconfig) name, tuned for a command line: one
 * attempt per request (Fabric8 would otherwise retry with back-off for about 20 s) and a short
 * connection timeout; and the words for why a cluster could not be used.
 */
public final class Connection {
    /** How long a connection may take to open. */
    public static final int CONNECT_TIMEOUT_MS = 5_000;

    private Connection() {
    }

    public static KubernetesClient open(ClusterOptions o) {
        Config config;
        try {
            if (o != null && o.kubeconfig != null) {
                File f = o.kubeconfig.toFile();
                if (!Files.isReadable(o.kubeconfig)) {
                    throw new CliException(ExitCodes.CLUSTER, "--kubeconfig " + o.kubeconfig + ": no such readable file");
                }
                config = Config.fromKubeconfig(o.context, f);
            } else {
                config = Config.autoConfigure(o == null ? null : o.context);
            }
        } catch (KubernetesClientException e) {
            throw new CliException(ExitCodes.CLUSTER, "cannot read the kubeconfig: " + cause(e));
        }
        if (o != null && o.context != null && config.getCurrentContext() != null
                && !o.context.equals(config.getCurrentContext().getName())) {
            throw new CliException(ExitCodes.CLUSTER, "--context " + o.context + ": no such context in the kubeconfig");
        }
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** One line about a failed request: the server's own message, or what went wrong on the way, in words. */
    public static String describe(KubernetesClientException k, String server) {
        if (k.getStatus() != null && k.getStatus().getMessage() != null && k.getCode() > 0) {
            return k.getStatus().getMessage() + " (HTTP " + k.getCode() + " from " + server + ")";
        }
        return "cannot reach the API server at " + server + ": " + cause(k);
    }

    /** Why a request failed, in words rather than a class name: the most telling cause in the chain. */
    public static String cause(Throwable t) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        // Most specific first: a JDK ConnectException often wraps the unresolved address that caused it.
        for (Class<?> kind : PRIORITY) {
            for (Throwable c : chain) {
                if (kind.isInstance(c)) {
                    return words(c);
                }
            }
        }
        Throwable root = chain.get(chain.size() - 1);
        String m = root.getMessage();
        return m == null || m.isBlank() ? "the request failed without saying why" : m;
    }

    private static final Class<?>[] PRIORITY = {UnresolvedAddressException.class, UnknownHostException.class,
            SSLHandshakeException.class, CertificateException.class, SSLException.class,
            HttpConnectTimeoutException.class, HttpTimeoutException.class, NoRouteToHostException.class,
            ConnectException.class, EOFException.class, FileNotFoundException.class};

    private static String words(Throwable c) {
        if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
            return "its host name does not resolve (check the server address in the kubeconfig, and DNS)";
        }
        if (c instanceof NoRouteToHostException) {
            return "no route to the host";
        }
        if (c instanceof ConnectException) {
            return "connection refused (is the cluster running, and is this its address?)";
        }
        if (c instanceof HttpConnectTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT_MS / 1000 + " s (a firewall, or the wrong address?)";
        }
        if (c instanceof HttpTimeoutException) {
            return "the request timed out";
        }
        if (c instanceof SSLHandshakeException || c instanceof CertificateException) {
            return "the TLS handshake failed: the server's certificate is not one the kubeconfig trusts ("
                    + c.getMessage() + ")";
        }
        if (c instanceof SSLException) {
            return "TLS failed: " + c.getMessage();
        }
        if (c instanceof EOFException) {
            return "the server closed the connection";
        }
        if (c instanceof FileNotFoundException) {
            return "file not found: " + c.getMessage();
        }
        return null;
    }
}
