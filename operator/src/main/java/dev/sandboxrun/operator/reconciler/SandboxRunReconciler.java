package dev.sandboxrun.operator.reconciler;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.KeyRef;
import dev.sandboxrun.api.Phase;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import dev.sandboxrun.api.Sizes;
import dev.sandboxrun.api.StatusMapper;
import dev.sandboxrun.api.Verdict;
import dev.sandboxrun.operator.access.Denial;
import dev.sandboxrun.operator.access.RunAccess;
import dev.sandboxrun.operator.config.OperatorConfig;
import dev.sandboxrun.operator.events.RunEvents;
import dev.sandboxrun.operator.metrics.RunMetrics;
import dev.sandboxrun.operator.output.PodOutcome;
import dev.sandboxrun.operator.output.StdoutFollowers;
import dev.sandboxrun.operator.output.StdoutStore;
import dev.sandboxrun.operator.output.TerminationReader;
import dev.sandboxrun.operator.pod.PodSettings;
import dev.sandboxrun.operator.pod.SandboxPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    /** Queued runs wake on pod events; this poll only covers an event missed. */
    static final Duration QUEUE_SAFETY_POLL = Duration.ofSeconds(30);
    /** How many of the oldest queued runs a pod that frees its slot wakes. */
    static final int WAKE_ON_POD_EVENT = 10;

    private final OperatorConfig config;
    private final RunMetrics metrics;
    private final Clock clock;
    /** What a run may reach: only what its creator could (no confused deputy). */
    private final RunAccess access;
    /** Stdout, read from running pods' logs as it is written. */
    private final StdoutFollowers followers = new StdoutFollowers();

    public SandboxRunReconciler(OperatorConfig config, RunMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
        this.access = RunAccess.from(config);
    }

    /** Stops following pods' logs (an operator instance that stops while its process goes on). */
    public void stopFollowing() {
        followers.close();
    }

    @Override
    public List<EventSource<?, SandboxRun>> prepareEventSources(EventSourceContext<SandboxRun> context) {
        SecondaryToPrimaryMapper<Pod> owners = Mappers.fromOwnerReferences(SandboxRun.class);
        var primaries = context.getPrimaryCache();
        var pods = InformerEventSourceConfiguration.from(Pod.class, SandboxRun.class)
                .withLabelSelector(SandboxPods.LABEL_MANAGED_BY + "=" + SandboxPods.MANAGED_BY)
                .withNamespacesInheritedFromController()
                // A pod's events go to its run and, when the pod frees its slot (it ended, or no node
                // takes it), to the oldest queued runs: queued runs wake on pod events, not on a poll.
                .withSecondaryToPrimaryMapper(pod -> {
                    Set<ResourceID> ids = new HashSet<>(owners.toPrimaryResourceIDs(pod));
                    if (!holdsSlot(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
                        primaries.list(SandboxRunReconciler::isQueued).sorted(OLDEST_FIRST).limit(WAKE_ON_POD_EVENT)
                                .map(ResourceID::fromResource).forEach(ids::add);
                    }
                    return ids;
                })
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<SandboxRun> reconcile(SandboxRun cached, Context<SandboxRun> context) {
        if (isQueued(cached) && queuePosition(cached, context) != null) {
            // Still queued, decided from the informer caches alone: no request to the API server.
            return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(QUEUE_SAFETY_POLL);
        }
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
            Optional<Denial> placement = access.checkPlacement(run);
            if (placement.isPresent()) {
                return step.finish(placement.get().verdict(), placement.get().message());
            }
            return step.startFirst(limits);
        }
        String podName = SandboxPods.podName(run, attempt);
        Pod pod = client.pods().inNamespace(run.getMetadata().getNamespace()).withName(podName).get();
        if (pod != null && !ownedBy(pod, run)) {
            return step.finish(Verdict.InfrastructureFailure, "pod " + podName + " belongs to another object");
        }
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
        PodOutcome outcome = TerminationReader.read(pod, limits.wallMs());
        if (outcome instanceof PodOutcome.InProgress) {
            followers.ensure(client, run, pod, limits.stdoutMaxBytes());
        }
        if (outcome instanceof PodOutcome.Result r) {
            Instant t0 = Instant.now();
            StatusMapper.CollectedStdout stdout = followers.result(client, run, pod, r.result());
            metrics.collected(Duration.between(t0, Instant.now()));
            StatusMapper.applyResult(status, r.result(), stdout, now);
            return step.finished(pod);
        }
        if (outcome instanceof PodOutcome.Ended e) {
            if (e.logHasStdout()) {
                StdoutStore.Partial partial = followers.partial(client, run, pod, limits.stdoutMaxBytes());
                StatusMapper.applyVerdict(status, e.verdict(), e.message(), partial.stdout(), partial.bytes(),
                        partial.sha256(), now);
            } else {
                StatusMapper.applyVerdict(status, e.verdict(), e.message(), now);
            }
            return step.finished(pod);
        }
        if (outcome instanceof PodOutcome.Infrastructure i) {
            return step.infrastructureFailure(attempt, limits, i.message());
        }
        if (outcome instanceof PodOutcome.Stuck || outcome instanceof PodOutcome.Starting) {
            // A pod no node takes, an image that cannot be pulled, a volume that cannot be mounted:
            // none is the program's doing, and retrying the same pod would wait the same way. The
            // run fails once the start timeout has passed, naming what held the pod.
            Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
            Instant giveUp = created.plus(config.startTimeout());
            if (!giveUp.isAfter(now)) {
                return step.cannotStart(pod, outcome);
            }
            // Pod events wake the run before then; this is the timeout's own wake-up.
            return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(Duration.between(now, giveUp).plusMillis(50));
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
            // The queue first: it reads only the informer caches, while the sources are GETs of
            // ConfigMaps or Secrets of up to 1 MiB, read only once the run may start.
            String queued = queuePosition(run, context);
            if (queued != null) {
                wait(REASON_QUEUED, queued);
                return UpdateControl.<SandboxRun>noUpdate().rescheduleAfter(QUEUE_SAFETY_POLL);
            }
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

        /** The pod did not start within the start timeout: the run fails, saying what held it. */
        UpdateControl<SandboxRun> cannotStart(Pod pod, PodOutcome outcome) {
            String why;
            if (outcome instanceof PodOutcome.Stuck s) {
                why = s.reason() + (s.message().isEmpty() ? "" : ": " + s.message());
            } else {
                why = ((PodOutcome.Starting) outcome).reason() + lastWarning(pod);
            }
            String message = "pod " + pod.getMetadata().getName() + " did not start within "
                    + config.startTimeout().toSeconds() + "s: " + why;
            LOG.infof("run %s/%s: %s", ns, run.getMetadata().getName(), message);
            StatusMapper.applyVerdict(status, Verdict.InfrastructureFailure, message, now);
            writeStatus();
            announceFinish();
            deletePod(pod.getMetadata().getName());
            return afterFinish();
        }

        /** The latest Warning event of the pod (FailedMount, FailedScheduling, ...), or "". */
        private String lastWarning(Pod pod) {
            try {
                return client.v1().events().inNamespace(ns)
                        .withField("involvedObject.name", pod.getMetadata().getName()).list().getItems().stream()
                        .filter(e -> "Warning".equals(e.getType()))
                        .filter(e -> e.getInvolvedObject() != null
                                && pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                        .max(Comparator.comparing(e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()))
                        .map(e -> " (" + e.getReason() + ": " + e.getMessage() + ")")
                        .orElse("");
            } catch (KubernetesClientException e) {
                return "";
            }
        }

        /** Records the attempt, then creates its pod: a pod never exists that status does not name. */
        UpdateControl<SandboxRun> createPod(int attempt, EffectiveLimits limits) {
            String creating = "creating pod " + SandboxPods.podName(run, attempt);
            var c = status.condition(StatusMapper.WAITING);
            boolean recorded = Integer.valueOf(attempt).equals(status.getAttempts()) && status.getPodName() == null
                    && c != null && REASON_STARTING.equals(c.getReason()) && creating.equals(c.getMessage());
            if (!recorded) {
                // Written once per attempt: rewriting an unchanged status on every retry would make an
                // event that resets JOSDK's retry count, so that a refusal could never reach the last retry.
                status.setAttempts(attempt);
                status.setPodName(null);
                StatusMapper.waiting(status, REASON_STARTING, creating, now);
                writeStatus();
            }
            // Before anything is created for the run: a Secret it names must be open to runs.
            Optional<Denial> denied = access.check(run, name -> client.secrets().inNamespace(ns).withName(name).get());
            if (denied.isPresent()) {
                return finish(denied.get().verdict(), denied.get().message());
            }
            Pod pod = SandboxPods.desired(run, attempt, limits, podSettings());
            ConfigMap stdin = SandboxPods.stdinConfigMap(run);
            if (stdin != null) {
                client.resource(stdin).createOr(NonDeletingOperation::update);
            }
            try {
                client.resource(pod).create();
                metrics.podStarted();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw new PodRefused(pod.getMetadata().getName(), e);
                }
                Pod existing = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
                if (existing != null && !ownedBy(existing, run)) {
                    return finish(Verdict.InfrastructureFailure, "pod " + pod.getMetadata().getName()
                            + " exists and belongs to another object");
                }
            }
            StatusMapper.running(status, pod.getMetadata().getName(), attempt, now);
            writeStatus();
            RunEvents.normal(client, run, RunEvents.STARTED, "attempt " + attempt + ": pod "
                    + pod.getMetadata().getName() + " created");
            return UpdateControl.noUpdate();
        }

        UpdateControl<SandboxRun> infrastructureFailure(int attempt, EffectiveLimits limits, String why) {
            String podName = SandboxPods.podName(run, attempt);
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
                client.configMaps().inNamespace(ns).withLabel(SandboxPods.LABEL_RUN, run.getMetadata().getUid())
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

        private PodSettings podSettings() {
            OperatorConfig.Launcher l = config.launcher();
            return new PodSettings(l.image(), l.path(), l.imagePullPolicy(), Sizes.bytes(l.memoryOverhead()),
                    l.ephemeralStorage(), l.deadlineGrace().toSeconds(), l.runtimeClassName().orElse(null),
                    config.startTimeout().toSeconds());
        }
    }

    /**
     * Null when a pod may start now; else why not. Queued runs start in creation order. Reads the
     * informer caches (the sandbox pods' event source, the runs' own cache), never the API server:
     * deciding costs the same with 10 or 10,000 runs in the cluster.
     */
    String queuePosition(SandboxRun run, Context<SandboxRun> context) {
        int cap = config.maxConcurrentPods();
        @SuppressWarnings("unchecked")
        var podCache = (InformerEventSource<Pod, SandboxRun>) context.eventSourceRetriever()
                .getEventSourceFor(Pod.class);
        // A pod no node can take uses no node's resources: it does not hold the queue (it fails at
        // the start timeout).
        long active = podCache.list().filter(SandboxRunReconciler::holdsSlot).count();
        List<SandboxRun> queued = context.getPrimaryCache().list(SandboxRunReconciler::isQueued).toList();
        metrics.queueLength(queued.size());
        if (active < cap) {
            long olderQueued = queued.stream().filter(r -> OLDEST_FIRST.compare(r, run) < 0).count();
            if (active + olderQueued < cap) {
                return null;
            }
        }
        // The same words while the run waits: a changing count would rewrite every queued run's status.
        return "queued: all " + cap + " sandbox pods are in use";
    }

    /** A pod that has not ended and that a node took (or may still take). */
    static boolean holdsSlot(Pod p) {
        boolean ended = p.getStatus() != null && ("Succeeded".equals(p.getStatus().getPhase())
                || "Failed".equals(p.getStatus().getPhase()));
        return !ended && !unschedulable(p);
    }

    static boolean unschedulable(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()));
    }

    static boolean ownedBy(Pod pod, SandboxRun run) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> run.getMetadata().getUid().equals(o.getUid()));
    }

    /** The API server refused the pod with an error other than a conflict. */
    static final class PodRefused extends RuntimeException {
        final int code;

        PodRefused(String pod, KubernetesClientException e) {
            super("the API server refused pod " + pod + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage() : e.getMessage()) + " (HTTP " + e.getCode() + ")", e);
            this.code = e.getCode();
        }

        /** A refusal that a retry cannot change (invalid, forbidden, too large), as against 5xx and 429. */
        boolean permanent() {
            return code >= 400 && code < 500 && code != 429 && code != 408;
        }
    }

    /**
     * JOSDK calls this when a reconciliation throws. A pod the API server refuses for good, or any
     * failure on the last retry, ends the run Failed with the server's message instead of leaving it
     * Running (or Pending) for ever; other failures are retried with back-off.
     */
    @Override
    public ErrorStatusUpdateControl<SandboxRun> updateErrorStatus(SandboxRun cached, Context<SandboxRun> context,
                                                                  Exception e) {
        PodRefused refused = cause(e, PodRefused.class);
        boolean last = context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(false);
        if ((refused == null || !refused.permanent()) && !last) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        KubernetesClient client = context.getClient();
        try {
            SandboxRun run = client.resources(SandboxRun.class).inNamespace(cached.getMetadata().getNamespace())
                    .withName(cached.getMetadata().getName()).get();
            if (run == null || !run.getMetadata().getUid().equals(cached.getMetadata().getUid())
                    || run.getStatus() != null && run.getStatus().isFinished()) {
                return ErrorStatusUpdateControl.<SandboxRun>noStatusUpdate().withNoRetry();
            }
            if (run.getStatus() == null) {
                run.setStatus(new SandboxRunStatus());
            }
            String message = refused != null ? refused.getMessage() : "the operator failed "
                    + context.getRetryInfo().map(r -> r.getAttemptCount()).orElse(1) + " times: " + e.getMessage();
            StatusMapper.applyVerdict(run.getStatus(), Verdict.InfrastructureFailure, message, clock.instant());
            client.resource(run).updateStatus();
            metrics.finished(Verdict.InfrastructureFailure.name(), Duration.between(
                    Instant.parse(run.getMetadata().getCreationTimestamp()), clock.instant()));
            RunEvents.warning(client, run, RunEvents.FINISHED, Verdict.InfrastructureFailure + ": " + message);
            if (run.getStatus().getPodName() != null) {
                client.pods().inNamespace(run.getMetadata().getNamespace()).withName(run.getStatus().getPodName())
                        .delete();
            }
        } catch (KubernetesClientException ke) {
            LOG.warnf("run %s/%s: cannot record its failure (%s); retrying", cached.getMetadata().getNamespace(),
                    cached.getMetadata().getName(), ke.getMessage());
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        return ErrorStatusUpdateControl.<SandboxRun>noStatusUpdate().withNoRetry();
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
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
