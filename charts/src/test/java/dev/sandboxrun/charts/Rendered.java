package dev.sandboxrun.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart rendered by Helm (helm template, as a library), parsed into its documents. */
final class Rendered {
    static final YAMLMapper YAML = new YAMLMapper();
    static final String RELEASE = "sandboxrun";
    static final String NAMESPACE = "sandboxrun-system";
    /** helm template assumes 1.20 otherwise; the chart needs 1.29 or later (Chart.yaml kubeVersion). */
    static final String KUBE_VERSION = "1.31.0";

    final String text;
    final List<JsonNode> docs;

    private Rendered(String text, List<JsonNode> docs) {
        this.text = text;
        this.docs = docs;
    }

    static Path chart() {
        return Path.of(property("sandboxrun.chart"));
    }

    static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException(name + " is not set: run the tests through Maven (mvn -pl charts verify)");
        }
        return v;
    }

    /** helm template with the chart's values, then with each values file given (YAML text) on top. */
    static Rendered template(Path tmp, String... valuesYaml) throws IOException {
        return template(tmp, c -> { }, valuesYaml);
    }

    static Rendered template(Path tmp, Consumer<TemplateCommand> more, String... valuesYaml) throws IOException {
        TemplateCommand t = new Helm(chart()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        int i = 0;
        for (String v : valuesYaml) {
            Path f = tmp.resolve("values-" + (i++) + ".yaml");
            Files.writeString(f, v);
            t.withValuesFile(f);
        }
        more.accept(t);
        String out = t.call();
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode() && d.size() > 0) {
                    docs.add(d);
                }
            }
        }
        return new Rendered(out, docs);
    }

    List<JsonNode> ofKind(String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    JsonNode one(String kind) {
        List<JsonNode> l = ofKind(kind);
        assertEquals(1, l.size(), "one " + kind + " in:\n" + text);
        return l.get(0);
    }

    JsonNode one(String kind, String name) {
        List<JsonNode> l = ofKind(kind).stream().filter(d -> name.equals(d.at("/metadata/name").asText())).toList();
        assertEquals(1, l.size(), "one " + kind + " " + name + " in:\n" + text);
        return l.get(0);
    }

    List<String> kinds() {
        return docs.stream().map(d -> d.path("kind").asText()).toList();
    }

    /** The operator container of the Deployment. */
    JsonNode operatorContainer() {
        JsonNode c = one("Deployment").at("/spec/template/spec/containers");
        assertEquals(1, c.size());
        return c.get(0);
    }

    /** The operator's environment from its ConfigMap (envFrom). */
    ObjectNode config() {
        JsonNode cm = one("ConfigMap");
        assertTrue(cm.get("data").isObject());
        return (ObjectNode) cm.get("data");
    }
}
