package dev.sandboxrun.operator.events;

import dev.sandboxrun.api.ObjectNames;
import dev.sandboxrun.api.SandboxRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kubernetes Events on a SandboxRun, one per transition (waiting, started, retried, finished), as
 * {@code kubectl describe sandboxrun} shows them. An event that cannot be written is logged and
 * dropped: events are for people, never part of a run's state.
 */
public final class RunEvents {
    private static final Logger LOG = Logger.getLogger(RunEvents.class);
    public static final String COMPONENT = "sandboxrun-operator";

    /** The reasons this operator gives, in CamelCase as Kubernetes events have them. */
    public static final String WAITING = "Waiting";
    public static final String QUEUED = "Queued";
    public static final String STARTED = "Started";
    public static final String RETRYING = "Retrying";
    public static final String FINISHED = "Finished";

    private RunEvents() {
    }

    public static void normal(KubernetesClient client, SandboxRun run, String reason, String message) {
        emit(client, run, "Normal", reason, message);
    }

    public static void warning(KubernetesClient client, SandboxRun run, String reason, String message) {
        emit(client, run, "Warning", reason, message);
    }

    private static void emit(KubernetesClient client, SandboxRun run, String type, String reason, String message) {
        String ns = run.getMetadata().getNamespace();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(ObjectNames.withSuffix(run.getMetadata().getName(), "." + Long.toHexString(System.nanoTime())
                            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000))))
                    .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(run.getApiVersion()).withKind(run.getKind())
                    .withName(run.getMetadata().getName()).withNamespace(ns)
                    .withUid(run.getMetadata().getUid()).withResourceVersion(run.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message == null ? "" : message.length() > 1024 ? message.substring(0, 1024) : message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(e).create();
        } catch (KubernetesClientException ex) {
            LOG.debugf("event %s on %s/%s not written: %s", reason, ns, run.getMetadata().getName(), ex.getMessage());
        }
    }
}
