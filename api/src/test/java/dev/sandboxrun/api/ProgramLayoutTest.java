package dev.sandboxrun.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgramLayoutTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @Test
    void namesFitEveryObjectAndLabelValuesFit63() {
        String last = ProgramLayout.partName(SHA, ProgramLayout.MAX_PARTS - 1);
        assertEquals("sandboxrun-program-0123456789abcdef0123456789abcdef01234567-85", last);
        assertTrue(last.length() <= 63, last);   // a DNS label even, not only a subdomain
        assertTrue(last.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
        assertEquals(40, ProgramLayout.programId(SHA).length());
        assertThrows(IllegalArgumentException.class, () -> ProgramLayout.partName(SHA, ProgramLayout.MAX_PARTS));
        assertThrows(IllegalArgumentException.class, () -> ProgramLayout.programId("ABC"));
    }

    @Test
    void splitCutsAtThePartSizeAndConcatenatesBack() {
        byte[] program = new byte[2 * 1024 * 1024 + 7];
        new Random(1).nextBytes(program);
        List<byte[]> parts = ProgramLayout.split(program);
        assertEquals(3, parts.size());
        assertEquals(ProgramLayout.PART_MAX_BYTES, parts.get(0).length);
        assertEquals(ProgramLayout.PART_MAX_BYTES, parts.get(1).length);
        assertEquals(program.length - 2 * ProgramLayout.PART_MAX_BYTES, parts.get(2).length);
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        parts.forEach(whole::writeBytes);
        assertArrayEquals(program, whole.toByteArray());
        assertEquals(1, ProgramLayout.split(new byte[ProgramLayout.PART_MAX_BYTES]).size());
        assertThrows(IllegalArgumentException.class, () -> ProgramLayout.split(new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> ProgramLayout.split(new byte[(int) ProgramLayout.PROGRAM_MAX_BYTES + 1]));
    }

    @Test
    void aFullPartIsUnderTheObjectAndRequestLimits() throws Exception {
        byte[] part = new byte[ProgramLayout.PART_MAX_BYTES];
        new Random(2).nextBytes(part);
        ConfigMap cm = ProgramLayout.partConfigMap("a-namespace-of-some-length", SHA, 63, 64, part);
        assertArrayEquals(part, Base64.getDecoder().decode(cm.getBinaryData().get(ProgramLayout.PART_KEY)));
        // The ConfigMap's own limit counts raw bytes of binaryData plus keys.
        assertTrue(part.length + ProgramLayout.PART_KEY.length() <= 1024 * 1024);
        // The request body (JSON, base64) against etcd's 1.5 MiB.
        int body = new ObjectMapper().writeValueAsBytes(cm).length;
        assertTrue(body < 1536 * 1024 - 256 * 1024, "body " + body);
        assertEquals(ProgramLayout.programId(SHA), cm.getMetadata().getLabels().get(ProgramLayout.LABEL_PROGRAM));
        assertEquals("63", cm.getMetadata().getLabels().get(ProgramLayout.LABEL_PART));
        assertEquals("64", cm.getMetadata().getAnnotations().get(ProgramLayout.ANNOTATION_PART_COUNT));
        assertTrue(cm.getImmutable());
        assertTrue(ProgramLayout.isOptedInPart(cm));
        assertTrue(ProgramLayout.claims(cm, SHA, 63, StdoutLayout.sha256(part)));
        assertFalse(ProgramLayout.claims(cm, SHA, 62, StdoutLayout.sha256(part)));
        assertFalse(ProgramLayout.claims(cm, SHA, 63, StdoutLayout.sha256(new byte[1])));
        assertTrue(cm.getMetadata().getOwnerReferences() == null || cm.getMetadata().getOwnerReferences().isEmpty());
    }

    @Test
    void sourceNamesThePartsInOrder() {
        ProgramSource p = ProgramLayout.source(SHA, 3);
        assertEquals(SHA, p.getSha256());
        assertEquals(List.of(ProgramLayout.partName(SHA, 0), ProgramLayout.partName(SHA, 1), ProgramLayout.partName(SHA, 2)),
                p.getParts().stream().map(r -> r.getConfigMap().getName()).toList());
        assertTrue(p.getParts().stream().allMatch(r -> r.getConfigMap().getKey().equals("part")));
    }
}
