package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.Placement;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a run may send its pod. The pod is the operator's, made with the operator's rights: a
 * toleration lets it onto nodes kept for others (GPU, control plane), a RuntimeClass can swap the
 * administrator's gVisor or Kata layer for plain runc, a PriorityClass can preempt other workloads.
 * So each is limited to what the administrator allows. A nodeSelector only narrows where the pod
 * may go (a tainted node still needs a toleration) and stays free.
 */
public final class PlacementAccess {
    private PlacementAccess() {
    }

    /** Empty when the placement (null: none) asks for nothing beyond what the policy allows. */
    public static Optional<Denial> check(Placement placement, AccessPolicy policy) {
        if (placement == null) {
            return Optional.empty();
        }
        List<Toleration> tolerations = placement.getTolerations() == null ? List.of() : placement.getTolerations();
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            if (t == null || policy.tolerations().stream().noneMatch(a -> a.covers(t))) {
                return Optional.of(Denial.invalidSpec("spec.placement.tolerations[" + i + "] (" + describe(t)
                        + ") is not allowed; the operator allows " + allowed(policy.tolerations().stream()
                        .map(AllowedToleration::toString).toList()) + " (access.tolerations)"));
            }
        }
        String runtimeClass = placement.getRuntimeClassName();
        if (runtimeClass != null && !runtimeClass.isEmpty() && !policy.runtimeClassNames().contains(runtimeClass)) {
            return Optional.of(Denial.invalidSpec("spec.placement.runtimeClassName " + runtimeClass
                    + " is not allowed; the operator allows " + allowed(sorted(policy.runtimeClassNames()))
                    + " (access.runtimeClassNames, sandboxPods.runtimeClassName)"));
        }
        String priorityClass = placement.getPriorityClassName();
        if (priorityClass != null && !priorityClass.isEmpty() && !policy.priorityClassNames().contains(priorityClass)) {
            return Optional.of(Denial.invalidSpec("spec.placement.priorityClassName " + priorityClass
                    + " is not allowed; the operator allows " + allowed(sorted(policy.priorityClassNames()))
                    + " (access.priorityClassNames)"));
        }
        return Optional.empty();
    }

    static String describe(Toleration t) {
        if (t == null) {
            return "empty";
        }
        StringBuilder s = new StringBuilder();
        s.append("key=").append(t.getKey() == null || t.getKey().isEmpty() ? "<any>" : t.getKey());
        s.append(", operator=").append(t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator());
        if (t.getValue() != null && !t.getValue().isEmpty()) {
            s.append(", value=").append(t.getValue());
        }
        s.append(", effect=").append(t.getEffect() == null || t.getEffect().isEmpty() ? "<any>" : t.getEffect());
        return s.toString();
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static String allowed(List<String> names) {
        return names.isEmpty() ? "none" : "only " + String.join(", ", names);
    }
}
