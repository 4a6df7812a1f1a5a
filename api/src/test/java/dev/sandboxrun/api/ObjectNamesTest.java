package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectNamesTest {
    @Test
    void aShortNameKeepsItsSuffixAsIs() {
        assertEquals("primes-stdout-0", ObjectNames.withSuffix("primes", "-stdout-0"));
        assertEquals("primes-stdout-3", StdoutLayout.configMapName("primes", 3));
    }

    @Test
    void aLongNameIsCutWithAHashToFit() {
        String a = "a".repeat(250) + "x.y";
        String b = "a".repeat(250) + "x.z";
        String na = ObjectNames.withSuffix(a, "-stdout-12");
        String nb = ObjectNames.withSuffix(b, "-stdout-12");
        assertEquals(ObjectNames.MAX, na.length());
        assertTrue(na.endsWith("-stdout-12"));
        assertNotEquals(na, nb, "two long names never meet");
        assertTrue(na.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"), na);
    }

    @Test
    void aCutNeverEndsALabelWithADotOrDash() {
        String base = "a".repeat(232) + "." + "b".repeat(20); // the cut falls right after the dot
        String n = ObjectNames.withSuffix(base, "-stdout-1");
        assertTrue(n.length() <= ObjectNames.MAX);
        assertTrue(!n.contains(".-") && !n.contains("-."), n);
    }
}
