package dev.sandboxrun.operator.observe;

import dev.sandboxrun.api.RunObjects;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.SandboxRunStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The pod cap holds when runs are admitted faster than their pods reach the informer's list. */
class RunQueueTest {
    static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    final List<SandboxRun> runs = new ArrayList<>();
    final List<Pod> pods = new ArrayList<>();
    final RunQueue queue = new RunQueue(10, n -> { });

    @Test
    void newRunsAdmittedBeforeAnyPodIsListedNeverPassTheCap() {
        for (int i = 0; i < 60; i++) {
            runs.add(run("r" + i, i));
        }
        long admitted = runs.stream().filter(r -> queue.position(r, pods.stream(), cache(), NOW) == null).count();
        assertEquals(10, admitted, "the cap, though no pod was listed between the decisions");
    }

    @Test
    void anAdmissionHoldsItsSlotUntilThePodIsListedThenThePodDoes() {
        for (int i = 0; i < 11; i++) {
            runs.add(run("r" + i, i));
        }
        for (int i = 0; i < 10; i++) {
            assertNull(queue.position(runs.get(i), pods.stream(), cache(), NOW));
        }
        assertNotNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
        // The first run's pod is listed, and ends: its slot is free, counted once.
        pods.add(pod(runs.get(0), "Succeeded"));
        assertNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
    }

    @Test
    void aRunThatFinishedBeforeItsPodWasEverListedFreesItsSlot() {
        for (int i = 0; i < 11; i++) {
            runs.add(run("r" + i, i));
        }
        for (int i = 0; i < 10; i++) {
            assertNull(queue.position(runs.get(i), pods.stream(), cache(), NOW));
        }
        assertNotNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
        // Its pod was created, ran and was deleted between two looks: the run says it finished.
        runs.get(5).getStatus().setPhase(dev.sandboxrun.api.Phase.Succeeded);
        assertNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
    }

    @Test
    void aReleasedAdmissionFreesItsSlotAndAnUnusedOneExpires() {
        for (int i = 0; i < 12; i++) {
            runs.add(run("r" + i, i));
        }
        for (int i = 0; i < 10; i++) {
            assertNull(queue.position(runs.get(i), pods.stream(), cache(), NOW));
        }
        assertNotNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
        queue.release(runs.get(3));
        assertNull(queue.position(runs.get(10), pods.stream(), cache(), NOW));
        assertNotNull(queue.position(runs.get(11), pods.stream(), cache(), NOW));
        assertNull(queue.position(runs.get(11), pods.stream(), cache(), NOW.plus(RunQueue.ADMISSION_HOLD)),
                "admissions whose pod never came expire");
    }

    static SandboxRun run(String name, int second) {
        SandboxRun r = new SandboxRun();
        r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withCreationTimestamp(NOW.minusSeconds(100 - second).toString()).build());
        r.setStatus(new SandboxRunStatus());
        return r;
    }

    static Pod pod(SandboxRun run, String phase) {
        return new PodBuilder().withNewMetadata().withName(run.getMetadata().getName() + "-run-1")
                .addToLabels(RunObjects.LABEL_RUN, run.getMetadata().getUid()).endMetadata()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    IndexedResourceCache<SandboxRun> cache() {
        return new IndexedResourceCache<>() {
            @Override
            public Stream<SandboxRun> list(Predicate<SandboxRun> predicate) {
                return runs.stream().filter(predicate);
            }

            @Override
            public Stream<SandboxRun> list(String namespace, Predicate<SandboxRun> predicate) {
                return list(predicate);
            }

            @Override
            public Optional<SandboxRun> get(ResourceID id) {
                return runs.stream().filter(r -> r.getMetadata().getName().equals(id.getName())).findFirst();
            }

            @Override
            public Stream<ResourceID> keys() {
                return runs.stream().map(ResourceID::fromResource);
            }

            @Override
            public List<SandboxRun> byIndex(String indexName, String indexKey) {
                return List.of();
            }
        };
    }
}
