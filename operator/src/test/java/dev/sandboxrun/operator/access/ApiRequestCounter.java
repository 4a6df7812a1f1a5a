package dev.sandboxrun.operator.access;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests one Fabric8 client sends, by Kubernetes verb and resource, as an API
 * server's audit log would name them: a GET of a collection is LIST (WATCH with {@code watch=true}),
 * POST is CREATE, PUT UPDATE, a DELETE of a collection DELETECOLLECTION. Installed as an HTTP
 * interceptor, so it sees every request the client makes, retries included, and nothing else.
 */
final class ApiRequestCounter implements Interceptor {
    /** One verb on one resource, e.g. {@code GET configmaps}, {@code UPDATE sandboxruns/status}. */
    record Key(String verb, String resource) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = resource.compareTo(o.resource);
            return c != 0 ? c : verb.compareTo(o.verb);
        }

        @Override
        public String toString() {
            return verb + " " + resource;
        }
    }

    private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<Key, AtomicLong> bytes = new ConcurrentHashMap<>();
    private final AtomicLong unsizedResponses = new AtomicLong();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        counts.computeIfAbsent(classify(request.method(), request.uri()), k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        String length = response.header("Content-Length");
        Key key = classify(request.method(), request.uri());
        if (length == null || key.verb().equals("WATCH")) {
            unsizedResponses.incrementAndGet();
            return;
        }
        try {
            bytes.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(Long.parseLong(length.trim()));
        } catch (NumberFormatException e) {
            unsizedResponses.incrementAndGet();
        }
    }

    /** The counts so far, sorted by resource then verb. */
    Map<Key, Long> snapshot() {
        return copy(counts);
    }

    /** Response bytes so far (from Content-Length) by verb and resource. */
    Map<Key, Long> bytesSnapshot() {
        return copy(bytes);
    }

    long unsizedResponses() {
        return unsizedResponses.get();
    }

    private static Map<Key, Long> copy(Map<Key, AtomicLong> m) {
        Map<Key, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** b - a, per key (keys with no change are left out). */
    static Map<Key, Long> minus(Map<Key, Long> b, Map<Key, Long> a) {
        Map<Key, Long> out = new TreeMap<>();
        b.forEach((k, v) -> {
            long d = v - a.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    static Key classify(String method, URI uri) {
        String[] p = uri.getPath().replaceAll("^/+|/+$", "").split("/");
        int i;
        if (p.length >= 2 && p[0].equals("api")) {
            i = 2; // api/v1/...
        } else if (p.length >= 3 && p[0].equals("apis")) {
            i = 3; // apis/group/version/...
        } else {
            return new Key(method, uri.getPath());
        }
        if (p.length - i >= 3 && p[i].equals("namespaces")) {
            i += 2; // namespaces/ns/resource...
        }
        String resource = i < p.length ? p[i] : "";
        boolean named = i + 1 < p.length;
        if (i + 2 < p.length) {
            resource += "/" + p[i + 2];
        }
        String query = uri.getRawQuery() == null ? "" : "&" + uri.getRawQuery() + "&";
        String verb = switch (method) {
            case "GET" -> named ? "GET" : query.contains("&watch=true&") || query.contains("&watch=1&") ? "WATCH" : "LIST";
            case "POST" -> "CREATE";
            case "PUT" -> "UPDATE";
            case "PATCH" -> "PATCH";
            case "DELETE" -> named ? "DELETE" : "DELETECOLLECTION";
            default -> method;
        };
        return new Key(verb, resource);
    }
}
