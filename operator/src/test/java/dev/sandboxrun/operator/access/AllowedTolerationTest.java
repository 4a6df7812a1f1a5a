package dev.sandboxrun.operator.access;

import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An allowed entry covers a run's toleration only when it tolerates every taint that one does. */
class AllowedTolerationTest {
    static Toleration t(String key, String op, String value, String effect) {
        return new Toleration(blank(effect), blank(key), blank(op), null, blank(value));
    }

    static String blank(String s) {
        return s == null || s.equals("-") ? null : s;
    }

    @ParameterizedTest(name = "{0} covers key={1} op={2} value={3} effect={4}: {5}")
    @CsvSource({
            // allowed entry,               key,       op,     value,   effect,       covered
            "dedicated=sandbox:NoSchedule,  dedicated, Equal,  sandbox, NoSchedule,   true",
            "dedicated=sandbox:NoSchedule,  dedicated, -,      sandbox, NoSchedule,   true",
            "dedicated=sandbox:NoSchedule,  dedicated, Equal,  other,   NoSchedule,   false",
            "dedicated=sandbox:NoSchedule,  dedicated, Exists, -,       NoSchedule,   false",
            "dedicated=sandbox:NoSchedule,  dedicated, Equal,  sandbox, -,            false",
            "dedicated=sandbox:NoSchedule,  dedicated, Equal,  sandbox, NoExecute,    false",
            "dedicated=sandbox:NoSchedule,  other,     Equal,  sandbox, NoSchedule,   false",
            "dedicated:NoSchedule,          dedicated, Exists, -,       NoSchedule,   true",
            "dedicated:NoSchedule,          dedicated, Equal,  anything,NoSchedule,   true",
            "dedicated:NoSchedule,          dedicated, Exists, -,       -,            false",
            "dedicated,                     dedicated, Exists, -,       -,            true",
            "dedicated,                     dedicated, Equal,  x,       NoExecute,    true",
            "dedicated,                     dedicated, Lt,     5,       NoSchedule,   true",
            "dedicated=x,                   dedicated, Lt,     5,       NoSchedule,   false",
            // An empty key with Exists tolerates every taint: never covered.
            "dedicated,                     -,         Exists, -,       -,            false",
            "dedicated,                     -,         Exists, -,       NoSchedule,   false",
            "node-role.kubernetes.io/control-plane:NoSchedule, node-role.kubernetes.io/control-plane, Exists, -, NoSchedule, true",
            "node-role.kubernetes.io/control-plane:NoSchedule, node-role.kubernetes.io/master, Exists, -, NoSchedule, false",
    })
    void coversOnlyWhatItTolerates(String entry, String key, String op, String value, String effect, boolean covered) {
        assertEquals(covered, AllowedToleration.parse(entry).covers(t(key, op, value, effect)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "=x", ":NoSchedule", "a:Sometimes", "a=b=c", "a=b c", "Bad Key", "a/b/c"})
    void malformedEntriesAreRefusedWithTheirText(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllowedToleration.parse(entry));
        assertTrue(e.getMessage().contains("'" + entry + "'") && e.getMessage().contains("key[=value][:Effect]"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dedicated", "dedicated:NoExecute", "dedicated=sandbox", "example.com/pool=runs:PreferNoSchedule"})
    void printsAsWritten(String entry) {
        assertEquals(entry, AllowedToleration.parse(entry).toString());
    }
}
