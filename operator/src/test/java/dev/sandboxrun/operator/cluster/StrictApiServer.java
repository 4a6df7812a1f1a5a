package dev.sandboxrun.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Fabric8 mock API server made as strict as a real one, by wrapping its dispatcher:
 * <ul>
 * <li>creates and updates validated as the API server does ({@link ApiRules}): 422 Invalid;</li>
 * <li>request bodies over etcd's 1.5 MiB refused: 500 "etcdserver: request is too large";</li>
 * <li>pods/log served from the simulated node's CRI log files ({@link LogSource}), as the kubelet
 * does, or an error when the node cannot be reached;</li>
 * <li>garbage collection of dependents (ownerReferences) that lags: the real garbage collector
 * (pkg/controller/garbagecollector) works from its informers' graph, asynchronously, so a deleted
 * owner's pods and ConfigMaps go seconds later, not with the owner (the mock has no GC at all);</li>
 * <li>requests counted by verb.</li>
 * </ul>
 * Installed once per mock server; a second install returns the first.
 */
public final class StrictApiServer extends Dispatcher {
    private static final Logger LOG = Logger.getLogger(StrictApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");
    private static final Pattern EVENTS_BY_OBJECT = Pattern.compile(
            "(/api/v1/namespaces/[^/]+/events)\\?fieldSelector=involvedObject\\.name(?:%3D|=)([^&]+)");
    private static final Pattern NAMESPACED = Pattern.compile("(/apis?/.+/namespaces/([^/]+)/[^/?]+)/([^/?]+)(\\?.*)?");

    /** Serves a pod's log as the kubelet would; null when no node holds the pod. */
    public interface LogSource {
        MockResponse log(String ns, String pod, String query);

        /** A follow read: an error answer, or the stream; null when no node holds the pod. */
        default Follow follow(String ns, String pod) {
            return null;
        }
    }

    /** The answer to a follow read: an error, or a stream of the log's content. */
    public record Follow(MockResponse error, LogStream stream) {
    }

    /** A follow read's content as it comes. */
    public interface LogStream {
        /**
         * Waits up to timeoutMs for more: the bytes (empty when none came), or null at the end.
         *
         * @throws java.io.IOException the node is lost: the connection breaks
         */
        byte[] next(long timeoutMs) throws java.io.IOException, InterruptedException;
    }

    /** A follow read of a pod's log (served by {@link StreamingMockServer}); counted as a GET. */
    public Follow follow(String ns, String pod) {
        requestsByVerb.computeIfAbsent("GET", v -> new AtomicLong()).incrementAndGet();
        LogSource source = logs;
        Follow f = source == null ? null : source.follow(ns, pod);
        return f != null ? f : new Follow(status(404, "NotFound", "pods \"" + pod + "\" not found"), null);
    }

    private final Dispatcher inner;
    private final ApiRules rules;
    private final ScheduledExecutorService gc = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-garbage-collector");
        t.setDaemon(true);
        return t;
    });
    public final Map<String, AtomicLong> requestsByVerb = new ConcurrentHashMap<>();
    /** Bytes of request bodies by verb: what clients send the API server (and it sends etcd). */
    public final Map<String, AtomicLong> bodyBytesByVerb = new ConcurrentHashMap<>();
    private volatile LogSource logs;
    private volatile Duration gcLag = Duration.ofSeconds(3);

    private StrictApiServer(Dispatcher inner, ApiRules rules) {
        this.inner = inner;
        this.rules = rules;
    }

    /** Wraps the mock server's dispatcher (once). */
    public static synchronized StrictApiServer install(KubernetesMockServer server, boolean imageVolumeEnabled) {
        try {
            var f = DefaultMockServer.class.getDeclaredField("server");
            f.setAccessible(true);
            MockWebServer web = (MockWebServer) f.get(server);
            var d = MockWebServer.class.getDeclaredField("dispatcher");
            d.setAccessible(true);
            Dispatcher current = (Dispatcher) d.get(web);
            if (current instanceof StrictApiServer strict) {
                return strict;
            }
            StrictApiServer strict = new StrictApiServer(current, new ApiRules(imageVolumeEnabled));
            web.setDispatcher(strict);
            return strict;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the mock server's dispatcher", e);
        }
    }

    public void logSource(LogSource source) {
        this.logs = source;
    }

    public void gcLag(Duration lag) {
        this.gcLag = lag;
    }

    public long bodyBytes(String verb) {
        AtomicLong n = bodyBytesByVerb.get(verb);
        return n == null ? 0 : n.get();
    }

    public long requests(String verb) {
        AtomicLong n = requestsByVerb.get(verb);
        return n == null ? 0 : n.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        HttpMethod method = request.method();
        String path = request.getPath();
        requestsByVerb.computeIfAbsent(verb(method, path), v -> new AtomicLong()).incrementAndGet();
        if (method == HttpMethod.GET) {
            Matcher events = EVENTS_BY_OBJECT.matcher(path);
            if (events.matches()) {
                return eventsOf(request, events.group(1), java.net.URLDecoder.decode(events.group(2),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            Matcher log = POD_LOG.matcher(path);
            if (log.matches()) {
                LogSource source = logs;
                MockResponse r = source == null ? null : source.log(log.group(1), log.group(2),
                        log.group(3) == null ? "" : log.group(3));
                return r != null ? r : status(404, "NotFound", "pods \"" + log.group(2) + "\" not found");
            }
        }
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            Buffer body = request.getBody();
            long size = body == null ? 0 : body.size();
            bodyBytesByVerb.computeIfAbsent(method.name(), v -> new AtomicLong()).addAndGet(size);
            if (size > ApiRules.MAX_REQUEST_BYTES) {
                return status(500, "InternalError", "etcdserver: request is too large");
            }
            if (method != HttpMethod.PATCH && size > 0) {
                MockResponse refused = validate(body.getBytes());
                if (refused != null) {
                    return refused;
                }
            }
        }
        if (method == HttpMethod.DELETE) {
            String uid = uidOf(path, request.getHeaders());
            MockResponse r = inner.dispatch(request);
            if (uid != null && r.code() >= 200 && r.code() < 300) {
                Matcher m = NAMESPACED.matcher(path);
                if (m.matches()) {
                    String ns = m.group(2);
                    gc.schedule(() -> collect(ns, uid), gcLag.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            return r;
        }
        return inner.dispatch(request);
    }

    /**
     * The events of one object: the API server supports the field selector involvedObject.name on
     * events (pkg/registry/core/event/strategy.go ToSelectableFields), the mock ignores it.
     */
    private MockResponse eventsOf(RecordedRequest request, String listPath, String name) {
        MockResponse all = inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, listPath,
                request.getHeaders(), new Buffer()));
        if (all.code() != 200) {
            return all;
        }
        try {
            ObjectNode list = (ObjectNode) JSON.readTree(all.getBody().getBytes());
            var kept = JSON.createArrayNode();
            for (JsonNode e : list.path("items")) {
                if (name.equals(e.path("involvedObject").path("name").asText())) {
                    kept.add(e);
                }
            }
            list.set("items", kept);
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(list.toString());
        } catch (IOException e) {
            return status(500, "InternalError", e.getMessage());
        }
    }

    private static String verb(HttpMethod method, String path) {
        if (method == HttpMethod.GET) {
            if (path.contains("watch=true")) {
                return "WATCH";
            }
            String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            return NAMESPACED.matcher(p).matches() && !p.endsWith("/status") || p.endsWith("/log") ? "GET" : "LIST";
        }
        return method.name();
    }

    private MockResponse validate(byte[] body) {
        JsonNode object;
        try {
            object = JSON.readTree(body);
        } catch (IOException e) {
            return null; // not JSON (e.g. a patch in another form): the inner dispatcher answers
        }
        if (object == null || !object.isObject()) {
            return null;
        }
        List<String> violations = rules.violations(object);
        if (violations.isEmpty()) {
            return null;
        }
        String kind = object.path("kind").asText("Object");
        String name = object.path("metadata").path("name").asText("");
        return status(422, "Invalid", kind + " \"" + name + "\" is invalid: " + String.join(", ", violations));
    }

    /** The uid of the object a DELETE names, read from the store before it goes. */
    private String uidOf(String path, Headers headers) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (!NAMESPACED.matcher(p).matches()) {
            return null;
        }
        MockResponse r = inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, p, headers, new Buffer()));
        if (r.code() != 200 || r.getBody() == null) {
            return null;
        }
        try {
            return JSON.readTree(r.getBody().getBytes()).path("metadata").path("uid").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Deletes the pods and ConfigMaps of a namespace that the deleted owner owned, as the garbage
     * collector does (pkg/controller/garbagecollector attemptToDeleteItem): a dependent with another
     * owner that still exists is kept, and only the reference to the deleted owner is removed.
     */
    private void collect(String ns, String ownerUid) {
        for (String kind : List.of("/api/v1/namespaces/" + ns + "/pods", "/api/v1/namespaces/" + ns + "/configmaps")) {
            try {
                MockResponse list = inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, kind,
                        Headers.builder().build(), new Buffer()));
                if (list.code() != 200) {
                    continue;
                }
                for (JsonNode item : JSON.readTree(list.getBody().getBytes()).path("items")) {
                    JsonNode refs = item.path("metadata").path("ownerReferences");
                    boolean owned = false;
                    var alive = JSON.createArrayNode();
                    for (JsonNode ref : refs) {
                        if (ownerUid.equals(ref.path("uid").asText())) {
                            owned = true;
                        } else if (exists(ns, ref)) {
                            alive.add(ref);
                        }
                    }
                    if (!owned) {
                        continue;
                    }
                    String name = item.path("metadata").path("name").asText();
                    if (alive.isEmpty()) {
                        inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.DELETE, kind + "/" + name,
                                Headers.builder().build(), new Buffer()));
                    } else {
                        ((ObjectNode) item.path("metadata")).set("ownerReferences", alive);
                        Buffer body = new Buffer();
                        body.write(JSON.writeValueAsBytes(item));
                        inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, kind + "/" + name,
                                Headers.builder().add("Content-Type", "application/json").build(), body));
                    }
                }
            } catch (Exception e) {
                LOG.warn("simulated garbage collection in " + ns + " failed", e);
            }
        }
    }

    /** Whether the owner a reference names exists with that uid (kinds named in the simplest plural). */
    private boolean exists(String ns, JsonNode ref) {
        String apiVersion = ref.path("apiVersion").asText();
        String plural = ref.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s";
        String path = (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion + "/namespaces/" + ns + "/" + plural
                + "/" + ref.path("name").asText();
        MockResponse r = inner.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(),
                new Buffer()));
        if (r.code() != 200 || r.getBody() == null) {
            return false;
        }
        try {
            return ref.path("uid").asText().equals(JSON.readTree(r.getBody().getBytes()).path("metadata").path("uid").asText());
        } catch (IOException e) {
            return true;   // cannot tell: keep the dependent, as the garbage collector does when unsure
        }
    }

    public static MockResponse status(int code, String reason, String message) {
        ObjectNode s = JSON.createObjectNode();
        s.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure").put("code", code)
                .put("reason", reason).put("message", message);
        s.putObject("metadata");
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(s.toString());
    }

    @Override
    public void shutdown() {
        gc.shutdownNow();
        inner.shutdown();
    }
}
