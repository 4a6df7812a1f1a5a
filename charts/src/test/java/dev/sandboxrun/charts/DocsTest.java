package dev.sandboxrun.charts;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/ against the chart and the operator: links that work in a clone, the same facts as the code. */
class DocsTest {
    static Path docs() {
        return Path.of(Rendered.property("sandboxrun.docs")).toAbsolutePath().normalize();
    }

    static Path repository() {
        return docs().getParent();
    }

    static String read(String doc) throws Exception {
        return Files.readString(docs().resolve(doc));
    }

    @Test
    void everyRelativeLinkStaysInTheRepositoryAndExists() throws Exception {
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        List<String> broken = new ArrayList<>();
        try (Stream<Path> files = Files.list(docs())) {
            for (Path doc : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher m = link.matcher(Files.readString(doc));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("[a-z]+:.*") || target.startsWith("#")) {
                        continue; // a web page or an anchor of the same page
                    }
                    Path file = doc.getParent().resolve(target.replaceAll("#.*$", "")).normalize();
                    if (!file.startsWith(repository()) || !Files.exists(file)) {
                        broken.add(doc.getFileName() + ": " + target);
                    }
                }
            }
        }
        assertEquals(List.of(), broken, "links that a clone of the repository cannot follow");
    }

    @Test
    void theDocsNameTheKubernetesVersionTheChartRequires() throws Exception {
        JsonNode chart = Rendered.YAML.readTree(Files.readString(Rendered.chart().resolve("Chart.yaml")));
        Matcher v = Pattern.compile(">=(\\d+\\.\\d+)\\.0-0").matcher(chart.get("kubeVersion").asText());
        assertTrue(v.matches(), chart.get("kubeVersion").asText());
        assertTrue(read("install.md").contains("Kubernetes " + v.group(1) + " or later"), "install.md");
    }

    @Test
    void securityMdCoversEveryAccessValueAndTheOperatorsLabel() throws Exception {
        String security = read("security.md");
        JsonNode values = Rendered.YAML.readTree(Files.readString(Rendered.chart().resolve("values.yaml")));
        values.get("access").fieldNames().forEachRemaining(k ->
                assertTrue(security.contains("access." + k), "security.md explains access." + k));
        assertTrue(security.contains("`ceilings`") && security.contains("rbac.userRoles.aggregate"), "ceilings, roles");
        Path optIn = repository().resolve("operator/src/main/java/dev/sandboxrun/operator/access/SecretOptIn.java");
        String source = Files.readString(optIn);
        String label = ChartTest.constant(source, "LABEL");
        String value = ChartTest.constant(source, "VALUE");
        assertTrue(security.contains(label + ": \"" + value + "\""), "security.md names " + label + " as in " + optIn);
        assertTrue(read("gitops.md").contains(label + ": \"" + value + "\""), "gitops.md too");
    }

    @Test
    void gitopsMdNeverAdvisesReplaceAloneForTheImmutableSpec() throws Exception {
        String gitops = read("gitops.md");
        assertTrue(gitops.contains("Force=true,Replace=true"), gitops);
        for (String line : gitops.lines().toList()) {
            if (line.contains("Replace=true") && !line.contains("Force=true")) {
                assertTrue(line.contains("alone") || line.contains("without `Force=true`"),
                        "Replace=true is only named as what does not work: " + line);
            }
        }
    }
}
