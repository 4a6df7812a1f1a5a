package dev.sandboxrun.operator.cluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Fabric8 mock API server (CRUD, expectations) with one thing the mock cannot do: a follow read
 * of a pod's log ({@code GET pods/<p>/log?follow=true}) streamed as the API server streams the
 * kubelet's answer, chunk by chunk while the container runs, instead of one body built whole.
 *
 * <p>The mock builds every response in {@code Dispatcher.dispatch} on a Vert.x event loop, which
 * must not block; its HTTP server is created inside {@code MockWebServer.start()} from its private
 * {@code vertx} field, with a request handler that cannot be changed once the server listens
 * (Vert.x HttpServerImpl: "Please set handler before server is listening"). So, before start, that
 * field is replaced by a {@link Proxy} of {@link Vertx} whose {@code createHttpServer} returns a
 * proxy of the {@link HttpServer} whose {@code requestHandler(h)} installs a wrapper: follow reads
 * of pod logs are streamed by a thread of their own (never the event loop), writing on the
 * request's context and waiting for each write to reach the socket (back-pressure, as the
 * kubelet's writes block); everything else goes to {@code h}, the mock's own handler. The content
 * comes from the strict server's log source ({@link StrictApiServer#follow}); the stream ends when
 * the container has ended and its log is read, and breaks (the connection closed) when the node is
 * lost, as the API server's proxy connection to a kubelet that went away does.
 */
public final class StreamingMockServer {
    private static final Logger LOG = Logger.getLogger(StreamingMockServer.class);
    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log");

    private StreamingMockServer() {
    }

    /** A CRUD mock server, like {@code @EnableKubernetesMockClient(crud = true)}'s, started. */
    public static KubernetesMockServer start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        MockWebServer web = new MockWebServer();
        streamFollowReads(web);
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web,
                responses, new KubernetesMixedDispatcher(responses), false);
        server.init();
        return server;
    }

    private static void streamFollowReads(MockWebServer web) {
        try {
            Field f = MockWebServer.class.getDeclaredField("vertx");
            f.setAccessible(true);
            Vertx real = (Vertx) f.get(web);
            f.set(web, proxy(Vertx.class, real, (m, args) -> {
                Object r = invoke(m, real, args);
                return "createHttpServer".equals(m.getName()) ? server(web, (HttpServer) r) : r;
            }));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the mock web server's Vert.x", e);
        }
    }

    private static HttpServer server(MockWebServer web, HttpServer real) {
        HttpServer[] self = new HttpServer[1];
        self[0] = proxy(HttpServer.class, real, (m, args) -> {
            if ("requestHandler".equals(m.getName()) && args != null && args.length == 1) {
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> mock = (Handler<HttpServerRequest>) args[0];
                real.requestHandler(req -> {
                    if (!followRead(web, req)) {
                        mock.handle(req);
                    }
                });
                return self[0];
            }
            Object r = invoke(m, real, args);
            return r == real ? self[0] : r; // fluent calls go on through the proxy
        });
        return self[0];
    }

    /** Streams a follow read of a pod's log; false for any other request. */
    private static boolean followRead(MockWebServer web, HttpServerRequest req) {
        if (req.method() != HttpMethod.GET || !"true".equals(req.getParam("follow"))) {
            return false;
        }
        Matcher m = POD_LOG.matcher(req.path());
        if (!m.matches()) {
            return false;
        }
        StrictApiServer strict = strict(web);
        if (strict == null) {
            return false;
        }
        String ns = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        String pod = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
        HttpServerResponse resp = req.response();
        io.vertx.core.Context ctx = Vertx.currentContext();
        Thread t = new Thread(() -> stream(strict, ns, pod, resp, ctx), "simulated-kubelet-follow-" + pod);
        t.setDaemon(true);
        t.start();
        return true;
    }

    private static void stream(StrictApiServer strict, String ns, String pod, HttpServerResponse resp,
                               io.vertx.core.Context ctx) {
        try {
            StrictApiServer.Follow f = strict.follow(ns, pod);
            if (f.error() != null) {
                MockResponse e = f.error();
                on(ctx, () -> resp.setStatusCode(e.code()).putHeader("Content-Type", "application/json")
                        .end(Buffer.buffer(e.getBody().getBytes())));
                return;
            }
            on(ctx, () -> {
                resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/plain");
                return resp.writeHead();
            });
            while (true) {
                byte[] b;
                try {
                    b = f.stream().next(200);
                } catch (java.io.IOException lost) {
                    ctx.runOnContext(v -> resp.close()); // the connection breaks
                    return;
                }
                if (resp.closed()) {
                    return; // the client went away
                }
                if (b == null) {
                    on(ctx, resp::end);
                    return;
                }
                if (b.length > 0) {
                    on(ctx, () -> resp.write(Buffer.buffer(b)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("streaming the log of " + ns + "/" + pod + " failed", e);
            ctx.runOnContext(v -> resp.close());
        }
    }

    /** Runs a write on the request's context and waits until it has gone out (or failed). */
    private static void on(io.vertx.core.Context ctx, java.util.function.Supplier<io.vertx.core.Future<Void>> write)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ctx.runOnContext(v -> {
            try {
                write.get().onComplete(ar -> done.countDown());
            } catch (RuntimeException e) {
                done.countDown();
            }
        });
        done.await(30, TimeUnit.SECONDS);
    }

    private static StrictApiServer strict(MockWebServer web) {
        try {
            Field d = MockWebServer.class.getDeclaredField("dispatcher");
            d.setAccessible(true);
            Dispatcher current = (Dispatcher) d.get(web);
            return current instanceof StrictApiServer s ? s : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private interface Call {
        Object call(Method m, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T real, Call call) {
        return (T) Proxy.newProxyInstance(StreamingMockServer.class.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return switch (m.getName()) {
                            case "equals" -> p == args[0];
                            case "hashCode" -> System.identityHashCode(p);
                            default -> "proxy of " + real;
                        };
                    }
                    return call.call(m, args);
                });
    }

    private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
