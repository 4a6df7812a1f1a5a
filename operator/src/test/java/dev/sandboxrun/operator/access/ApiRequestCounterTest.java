package dev.sandboxrun.operator.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bench's request classification, as the API server's audit log names verbs. */
class ApiRequestCounterTest {
    @ParameterizedTest
    @CsvSource({
            "GET,    /apis/sandboxrun.dev/v1alpha1/namespaces/a/sandboxruns/r1,                     GET sandboxruns",
            "GET,    /apis/sandboxrun.dev/v1alpha1/namespaces/a/sandboxruns,                        LIST sandboxruns",
            "GET,    /apis/sandboxrun.dev/v1alpha1/sandboxruns?resourceVersion=0,                    LIST sandboxruns",
            "GET,    /apis/sandboxrun.dev/v1alpha1/sandboxruns?allowWatchBookmarks=true&watch=true,  WATCH sandboxruns",
            "PUT,    /apis/sandboxrun.dev/v1alpha1/namespaces/a/sandboxruns/r1/status,              UPDATE sandboxruns/status",
            "PATCH,  /apis/sandboxrun.dev/v1alpha1/namespaces/a/sandboxruns/r1,                     PATCH sandboxruns",
            "GET,    /api/v1/namespaces/a/pods/r1-run-1/log?limitBytes=10,                          GET pods/log",
            "POST,   /api/v1/namespaces/a/pods,                                                     CREATE pods",
            "DELETE, /api/v1/namespaces/a/pods/r1-run-1,                                            DELETE pods",
            "DELETE, /api/v1/namespaces/a/configmaps?labelSelector=x,                               DELETECOLLECTION configmaps",
            "GET,    /api/v1/namespaces/a/secrets/s,                                                GET secrets",
            "POST,   /api/v1/namespaces/a/events,                                                   CREATE events",
            "GET,    /api/v1/pods?labelSelector=app&watch=true,                                     WATCH pods",
            "GET,    /api/v1/namespaces/a,                                                          GET namespaces",
    })
    void namesVerbAndResourceAsTheAuditLogDoes(String method, String uri, String expected) {
        assertEquals(expected, ApiRequestCounter.classify(method, URI.create("https://api.example" + uri)).toString());
    }
}
