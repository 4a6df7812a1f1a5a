package dev.sandboxrun.operator.act;

import dev.sandboxrun.api.SandboxRun;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The one status write of a pass. A PUT with the cached resourceVersion: a stale cache (or another
 * writer) gets a conflict and the pass is retried, never an attempt number written back. JOSDK
 * keeps the answer in the primary cache (ResourceOperations.updatePrimaryStatus), so the next pass
 * sees this write even before the informer's event arrives, and that event does not trigger a pass.
 */
final class StatusWriter {
    private StatusWriter() {
    }

    static SandboxRun write(Context<SandboxRun> context, SandboxRun run) {
        if (run.getStatus().getObservedGeneration() == null) {
            run.getStatus().setObservedGeneration(run.getMetadata().getGeneration());
        }
        return context.resourceOperations().updatePrimaryStatus(run);
    }
}
