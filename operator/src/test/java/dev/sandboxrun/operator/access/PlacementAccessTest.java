package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.Placement;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementAccessTest {
    static final AccessPolicy ADMIN = new AccessPolicy(Set.of(),
            List.of(AllowedToleration.parse("dedicated=sandbox:NoSchedule"), AllowedToleration.parse("spot")),
            Set.of("gvisor", "kata"), Set.of("batch-low"));

    static Placement placement(List<Toleration> tolerations, String runtimeClass, String priorityClass) {
        Placement p = new Placement();
        p.setTolerations(tolerations);
        p.setRuntimeClassName(runtimeClass);
        p.setPriorityClassName(priorityClass);
        return p;
    }

    static Toleration equal(String key, String value, String effect) {
        return new Toleration(effect, key, "Equal", null, value);
    }

    static String denied(Placement p, AccessPolicy policy) {
        Optional<Denial> d = PlacementAccess.check(p, policy);
        assertTrue(d.isPresent(), "expected a denial");
        assertEquals("InvalidSpec", d.get().verdict().name());
        return d.get().message();
    }

    @Test
    void nothingAskedIsAllowedUnderEveryPolicy() {
        for (AccessPolicy policy : List.of(AccessPolicy.NONE, ADMIN)) {
            assertEquals(Optional.empty(), PlacementAccess.check(null, policy));
            assertEquals(Optional.empty(), PlacementAccess.check(new Placement(), policy));
            assertEquals(Optional.empty(), PlacementAccess.check(placement(List.of(), "", ""), policy));
        }
    }

    @Test
    void aNodeSelectorOnlyNarrowsAndStaysFree() {
        Placement p = new Placement();
        p.setNodeSelector(Map.of("kubernetes.io/hostname", "node-7"));
        assertEquals(Optional.empty(), PlacementAccess.check(p, AccessPolicy.NONE));
    }

    @Test
    void byDefaultNoTolerationIsAllowed() {
        String m = denied(placement(List.of(equal("dedicated", "sandbox", "NoSchedule")), null, null), AccessPolicy.NONE);
        assertEquals("spec.placement.tolerations[0] (key=dedicated, operator=Equal, value=sandbox, effect=NoSchedule)"
                + " is not allowed; the operator allows none (access.tolerations)", m);
    }

    @Test
    void tolerationsWithinTheListPassAndTheFirstOutsideIsNamed() {
        assertEquals(Optional.empty(), PlacementAccess.check(placement(List.of(
                equal("dedicated", "sandbox", "NoSchedule"),
                new Toleration("NoExecute", "spot", "Exists", 60L, null)), null, null), ADMIN));
        String m = denied(placement(List.of(
                equal("dedicated", "sandbox", "NoSchedule"),
                new Toleration(null, null, "Exists", null, null)), null, null), ADMIN);
        assertTrue(m.startsWith("spec.placement.tolerations[1] (key=<any>, operator=Exists, effect=<any>) is not allowed;"), m);
        assertTrue(m.contains("only dedicated=sandbox:NoSchedule, spot"), m);
    }

    @Test
    void runtimeClassOnlyFromTheList() {
        assertEquals(Optional.empty(), PlacementAccess.check(placement(null, "kata", null), ADMIN));
        assertEquals("spec.placement.runtimeClassName runc is not allowed; the operator allows only gvisor, kata"
                + " (access.runtimeClassNames, sandboxPods.runtimeClassName)", denied(placement(null, "runc", null), ADMIN));
        assertTrue(denied(placement(null, "gvisor", null), AccessPolicy.NONE).contains("allows none"));
    }

    @Test
    void priorityClassOnlyFromTheList() {
        assertEquals(Optional.empty(), PlacementAccess.check(placement(null, null, "batch-low"), ADMIN));
        assertEquals("spec.placement.priorityClassName system-cluster-critical is not allowed; the operator allows"
                + " only batch-low (access.priorityClassNames)", denied(placement(null, null, "system-cluster-critical"), ADMIN));
    }
}
