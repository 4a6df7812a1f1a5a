package dev.sandboxrun.operator.reconciler;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Sizes;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.config.OperatorConfig;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.output.PodOutcome;
import dev.sandboxrun.operator.output.StdoutStore;
import dev.sandboxrun.operator.output.TerminationReader;
import dev.sandboxrun.operator.pod.PodSettings;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * From what is in the cluster to the next step of a run. Every decision reads fresh state (the run
 * and its attempt's pod from the API server), so a restarted operator resumes where it stopped.
 * Writes go in an order that survives a crash: the attempt in status before its pod; stdout
 * ConfigMaps, then status, then the pod's deletion.
 */
@ControllerConfiguration(name = "sandboxrun")
public class SandboxRunReconciler implements Reconciler<SandboxRun> {
    private static final Logger LOG = Logger.getLogger(SandboxRunReconciler.class);
    static final String REASON_SOURCE_MISSING = "SourceMissing";
    static final String REASON_QUEUED = "Queued";
    static final String REASON_STARTING = "Starting";
    static final Duration POLL = Duration.ofSeconds(2);

    private final OperatorConfig config;
    private final RunMetrics metrics;
    private final Clock clock;

    public SandboxRunReconciler(OperatorConfig config, RunMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
    }

    @Override
    public List<EventSource<?, SandboxRun>> prepareEventSources(EventSourceContext<SandboxRun> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, SandboxRun.class)
                .withLabelSelector(SandboxPods.LABEL_MANAGED_BY + "=" + SandboxPods.MANAGED_BY)
                .withNamespacesInheritedFromController()
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<SandboxRun> reconcile(SandboxRun cached, Context<SandboxRun> context) {
        KubernetesClient client = context.getClient();
        SandboxRun run = client.resources(SandboxRun.class).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName()).get();
        if (run == null || run.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate();
        }
        if (run.getStatus() == null) {
            run.setStatus(new SandboxRunStatus());
        }
        SandboxRunStatus status = run.getStatus();
        Instant now = clock.instant();
        Step step = new Step(client, context, run, status, now);

        if (status.isFinished()) {
            return step.afterFinish();
        }
        if (status.getObservedGeneration() == null) {
            status.setObservedGeneration(run.getMetadata().getGeneration());
        }

        EffectiveLimits limits;
        try {
            limits = EffectiveLimits.resolve(run.getSpec(), config.limitDefaults());
        } catch (IllegalArgumentException e) {
            return step.finish(Verdict.InvalidSpec, e.getMessage());
        }
        List<String> over = limits.exceeding(config.limitCeilings());
        if (!over.isEmpty()) {
            return step.finish(Verdict.InvalidSpec, String.join("; ", over));
        }

        int attempt = status.getAttempts() == null ? 0 : status.getAttempts();
        if (attempt == 0) {
            return step.startFirst(limits);
        }
        String podName = SandboxPods.podName(run.getMetadata().getName(), attempt);
        Pod pod = client.pods().inNamespace(run.getMetadata().getNamespace()).withName(podName).get();
        if (pod == null) {
            if (status.getPodName() == null) {
                // The attempt was recorded but its pod not yet created (a crash between the two).
                return step.createPod(attempt, limits);
            }
            return step.infrastructureFailure(attempt, limits, "pod " + podName + " disappeared before the run ended");
        }
        if (!podName.equals(status.getPodName()) || status.getPhase() != Phase.Running) {
            StatusMapper.running(status, podName, attempt, now);
            step.writeStatus();
        }
        PodOutcome outcome = TerminationReader.read(pod);
        if (outcome instanceof PodOutcome.Result r) {
            Instant t0 = Instant.now();
            StatusMapper.CollectedStdout stdout = StdoutStore.collect(client, run, podName, r.result());
            metrics.collected(Duration.between(t0, Instant.now()));
            StatusMapper.applyResult(status, r.result(), stdout, now);
            return step.finished(pod);
        }
        if (outcome instanceof PodOutcome.Ended e) {
            StatusMapper.applyVerdict(status, e.verdict(), e.message(), now);
            return step.finished(pod);
        }
        if (outcome instanceof PodOutcome.Infrastructure i) {
            return step.infrastructureFailure(attempt, limits, i.message());
        }
        if (outcome instanceof PodOutcome.Stuck s) {
            Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
            if (created.plus(config.startTimeout()).isBefore(now)) {
                return step.infrastructureFailure(attempt, limits, "container cannot start: " + s.reason() + " "
                        + s.message());
            }
            return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(POLL);
        }
        return UpdateControl.noUpdate();
    }

    /** One reconciliation's writes, in their safe order. */
    private final class Step {
        final KubernetesClient client;
        final Context<SandboxRun> context;
        final SandboxRun run;
        final SandboxRunStatus status;
        final Instant now;
        final String ns;

        Step(KubernetesClient client, Context<SandboxRun> context, SandboxRun run, SandboxRunStatus status,
             Instant now) {
            this.client = client;
            this.context = context;
            this.run = run;
            this.status = status;
            this.now = now;
            this.ns = run.getMetadata().getNamespace();
        }

        /** Status with optimistic locking: a conflict means someone else moved on; retry from fresh state. */
        void writeStatus() {
            SandboxRun updated = client.resource(run).updateStatus();
            run.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
        }

        UpdateControl<SandboxRun> startFirst(EffectiveLimits limits) {
            String missing = missingSource();
            if (missing != null) {
                Instant created = Instant.parse(run.getMetadata().getCreationTimestamp());
                if (created.plus(config.sourceWaitTimeout()).isBefore(now)) {
                    return finish(Verdict.ProgramNotFound, missing + " not found after "
                            + config.sourceWaitTimeout().toSeconds() + "s");
                }
                wait(REASON_SOURCE_MISSING, "waiting for " + missing);
                return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(POLL);
            }
            String queued = queuePosition();
            if (queued != null) {
                wait(REASON_QUEUED, queued);
                return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(POLL);
            }
            return createPod(1, limits);
        }

        private void wait(String reason, String message) {
            var c = status.condition(StatusMapper.WAITING);
            if (status.getPhase() != Phase.Pending || c == null || !reason.equals(c.getReason())
                    || !message.equals(c.getMessage())) {
                boolean newReason = c == null || !reason.equals(c.getReason());
                StatusMapper.waiting(status, reason, message, now);
                writeStatus();
                if (newReason) {
                    RunEvents.normal(client, run, REASON_QUEUED.equals(reason) ? RunEvents.QUEUED : RunEvents.WAITING,
                            message);
                }
            }
        }

        /** Records the attempt, then creates its pod: a pod never exists that status does not name. */
        UpdateControl<SandboxRun> createPod(int attempt, EffectiveLimits limits) {
            status.setAttempts(attempt);
            status.setPodName(null);
            StatusMapper.waiting(status, REASON_STARTING, "creating pod " + SandboxPods.podName(
                    run.getMetadata().getName(), attempt), now);
            writeStatus();
            Pod pod = SandboxPods.desired(run, attempt, limits, podSettings());
            try {
                client.resource(pod).create();
                metrics.podStarted();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            StatusMapper.running(status, pod.getMetadata().getName(), attempt, now);
            writeStatus();
            RunEvents.normal(client, run, RunEvents.STARTED, "attempt " + attempt + ": pod "
                    + pod.getMetadata().getName() + " created");
            return UpdateControl.noUpdate();
        }

        UpdateControl<SandboxRun> infrastructureFailure(int attempt, EffectiveLimits limits, String why) {
            String podName = SandboxPods.podName(run.getMetadata().getName(), attempt);
            int retries = run.getSpec().getRetries() == null ? 0 : run.getSpec().getRetries();
            LOG.infof("run %s/%s attempt %d: infrastructure failure: %s", ns, run.getMetadata().getName(), attempt, why);
            if (attempt <= retries) {
                RunEvents.warning(client, run, RunEvents.RETRYING, "attempt " + attempt + " failed (" + why
                        + "); starting attempt " + (attempt + 1) + " of " + (retries + 1));
                metrics.retried();
                deletePod(podName);
                return createPod(attempt + 1, limits);
            }
            StatusMapper.applyVerdict(status, Verdict.InfrastructureFailure, why + " (attempt " + attempt + " of "
                    + (retries + 1) + ")", now);
            writeStatus();
            announceFinish();
            deletePod(podName);
            return afterFinish();
        }

        UpdateControl<SandboxRun> finish(Verdict verdict, String message) {
            StatusMapper.applyVerdict(status, verdict, message, now);
            writeStatus();
            announceFinish();
            return afterFinish();
        }

        /** The result is in the ConfigMaps and status; only now may the pod go. */
        UpdateControl<SandboxRun> finished(Pod pod) {
            writeStatus();
            announceFinish();
            LOG.debugf("run %s/%s finished: %s", ns, run.getMetadata().getName(), status.getVerdict());
            deletePod(pod.getMetadata().getName());
            return afterFinish();
        }

        /** Once per run: the status that says it finished is written. */
        private void announceFinish() {
            Duration took = Duration.between(Instant.parse(run.getMetadata().getCreationTimestamp()), now);
            metrics.finished(status.getVerdict(), took);
            String message = status.getVerdict() + (status.getMessage() == null ? "" : ": " + status.getMessage());
            if (Verdict.Completed.name().equals(status.getVerdict())) {
                RunEvents.normal(client, run, RunEvents.FINISHED, message);
            } else {
                RunEvents.warning(client, run, RunEvents.FINISHED, message);
            }
        }

        UpdateControl<SandboxRun> afterFinish() {
            if (status.getPodName() != null) {
                deletePod(status.getPodName());
            }
            Long ttl = run.getSpec().getTtlSecondsAfterFinished();
            if (ttl == null || status.getCompletionTime() == null) {
                return UpdateControl.noUpdate();
            }
            Instant expires = Instant.parse(status.getCompletionTime()).plusSeconds(ttl);
            if (!expires.isAfter(now)) {
                client.resource(run).delete();
                client.configMaps().inNamespace(ns).withLabel(SandboxPods.LABEL_RUN, run.getMetadata().getName())
                        .delete();
                return UpdateControl.noUpdate();
            }
            return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(Duration.between(now, expires));
        }

        private void deletePod(String name) {
            client.pods().inNamespace(ns).withName(name).delete();
        }

        /** The first ConfigMap or Secret key that the spec needs and the cluster lacks, or null. */
        private String missingSource() {
            var spec = run.getSpec();
            List<String> needs = new ArrayList<>();
            check(needs, spec.getProgram().getConfigMap(), false);
            check(needs, spec.getProgram().getSecret(), true);
            if (spec.getStdin() != null) {
                check(needs, spec.getStdin().getConfigMap(), false);
                check(needs, spec.getStdin().getSecret(), true);
            }
            return needs.isEmpty() ? null : needs.get(0);
        }

        private void check(List<String> needs, KeyRef ref, boolean secret) {
            if (ref == null) {
                return;
            }
            if (secret) {
                Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
                if (s == null || !has(s.getData(), ref.getKey()) && !has(s.getStringData(), ref.getKey())) {
                    needs.add("Secret " + ref.getName() + " key " + ref.getKey());
                }
            } else {
                ConfigMap c = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
                if (c == null || !has(c.getData(), ref.getKey()) && !has(c.getBinaryData(), ref.getKey())) {
                    needs.add("ConfigMap " + ref.getName() + " key " + ref.getKey());
                }
            }
        }

        private static boolean has(Map<String, String> m, String key) {
            return m != null && m.containsKey(key);
        }

        /**
         * Null when a pod may start now; else why not. Queued runs start in creation order. Reads the
         * informer caches (the sandbox pods' event source, the runs' own cache), never lists the
         * API server: starting a run costs the same with 10 or 10,000 runs in the cluster.
         */
        private String queuePosition() {
            int cap = config.maxConcurrentPods();
            @SuppressWarnings("unchecked")
            var podCache = (InformerEventSource<Pod, SandboxRun>) context.eventSourceRetriever()
                    .getEventSourceFor(Pod.class);
            long active = podCache.list()
                    .filter(p -> p.getStatus() == null || !("Succeeded".equals(p.getStatus().getPhase())
                            || "Failed".equals(p.getStatus().getPhase())))
                    .count();
            List<SandboxRun> queued = context.getPrimaryCache().list(SandboxRunReconciler::isQueued).toList();
            metrics.queueLength(queued.size());
            if (active < cap) {
                long olderQueued = queued.stream().filter(r -> OLDEST_FIRST.compare(r, run) < 0).count();
                if (active + olderQueued < cap) {
                    return null;
                }
            }
            return "queued: " + active + " of " + cap + " sandbox pods are running";
        }

        private PodSettings podSettings() {
            OperatorConfig.Launcher l = config.launcher();
            return new PodSettings(l.image(), l.path(), l.imagePullPolicy(), Sizes.bytes(l.memoryOverhead()),
                    l.ephemeralStorage(), l.deadlineGrace().toSeconds(), l.runtimeClassName().orElse(null));
        }
    }

    static boolean isQueued(SandboxRun r) {
        if (r.getStatus() == null || r.getStatus().getPhase() != Phase.Pending) {
            return false;
        }
        var c = r.getStatus().condition(StatusMapper.WAITING);
        return c != null && REASON_QUEUED.equals(c.getReason());
    }

    static final Comparator<SandboxRun> OLDEST_FIRST = Comparator
            .comparing((SandboxRun r) -> Instant.parse(r.getMetadata().getCreationTimestamp()))
            .thenComparing(r -> r.getMetadata().getNamespace())
            .thenComparing(r -> r.getMetadata().getName());
}
