package dev.sandboxrun.operator.program;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API server's side of spec.program in the committed CRD: no CEL interpreter runs here, so this
 * holds the rules to the ones SpecValidation checks (ProgramSpecValidationTest), word for word.
 */
class ProgramCrdRulesTest {
    static JsonNode program() throws Exception {
        JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(Path.of(System.getProperty("sandboxrun-test.crds",
                "../crds"), "sandboxruns.sandboxrun.dev-v1.yml").toFile());
        return crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").path("properties")
                .path("spec").path("properties").path("program");
    }

    static List<String> rules(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.path("x-kubernetes-validations").forEach(r -> out.add(r.path("rule").asText() + " => " + r.path("message").asText()));
        return out;
    }

    @Test
    void exactlyOneSourceAndPartsWithTheirDigest() throws Exception {
        JsonNode p = program();
        assertEquals(List.of("(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) + (has(self.image) ? 1 : 0)"
                        + " + (has(self.parts) ? 1 : 0) == 1 => program needs exactly one source: configMap, secret, image or parts",
                "!has(self.parts) || has(self.sha256) => program.parts needs program.sha256, the SHA-256 of the whole program"),
                rules(p));
        JsonNode parts = p.path("properties").path("parts");
        assertEquals(1, parts.path("minItems").asInt());
        assertEquals(86, parts.path("maxItems").asInt());
        assertEquals(List.of("(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) == 1 => a program part is"
                + " exactly one of configMap or secret"), rules(parts.path("items")));
        assertEquals("^[0-9a-f]{64}$", p.path("properties").path("sha256").path("pattern").asText());
        assertTrue(parts.path("items").path("properties").path("configMap").path("required").toString().contains("key"));
    }
}
