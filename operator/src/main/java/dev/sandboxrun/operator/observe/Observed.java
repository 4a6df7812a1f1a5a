package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.operator.program.ProgramParts;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * What one pass knows of a run, all from the informer caches except {@code missingSource}.
 *
 * @param run           the run as the primary cache holds it (status never null)
 * @param pod           the pod of the attempt status names, owned by this run's UID, or null
 * @param foreignPod    a pod of that name is cached but belongs to another object
 * @param queued        for a run not yet started: why it may not start now (the pod cap), or null
 * @param missingSource for a run that may start: the first ConfigMap or Secret key it names that
 *                      the cluster lacks (a program part included), or null (read from the API
 *                      server, only then)
 * @param parts         for a run that may start with its sources present: its program parts as
 *                      read (a denied Secret part, the part ConfigMaps it must become an owner of)
 */
public record Observed(SandboxRun run, Pod pod, boolean foreignPod, String queued, String missingSource,
                       ProgramParts.Check parts) {
    public Observed(SandboxRun run, Pod pod, boolean foreignPod, String queued, String missingSource) {
        this(run, pod, foreignPod, queued, missingSource, ProgramParts.Check.READY);
    }
}
