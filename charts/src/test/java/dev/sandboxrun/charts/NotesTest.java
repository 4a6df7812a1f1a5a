package dev.sandboxrun.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What helm install prints (NOTES.txt), rendered by a client-only dry run: commands that work as given. */
class NotesTest {
    @TempDir
    Path tmp;

    String notes(String values) throws Exception {
        InstallCommand install = new Helm(Rendered.chart()).install().withName(Rendered.RELEASE)
                .withNamespace(Rendered.NAMESPACE).withKubeVersion(Rendered.KUBE_VERSION).dryRun().clientOnly();
        if (!values.isEmpty()) {
            Path f = tmp.resolve("values.yaml");
            Files.writeString(f, values);
            install.withValuesFile(f);
        }
        String out = install.call().getOutput();
        int i = out.indexOf("NOTES:");
        assertTrue(i >= 0, out);
        return out.substring(i);
    }

    static List<String> kubectlLines(String notes) {
        return notes.lines().map(String::trim).filter(l -> l.startsWith("kubectl") || l.contains("| kubectl")).toList();
    }

    @Test
    void everyCommandNamesItsNamespaceAndTheExampleGoesWhereTheOperatorWatches() throws Exception {
        String watched = notes("watchNamespaces: [team-a, team-b]\n");
        List<String> lines = kubectlLines(watched);
        assertTrue(lines.size() >= 5, watched);
        for (String l : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("kubectl (\\S+)").matcher(l);
            while (m.find()) {
                assertTrue(m.group(1).equals("-n"), "a namespace on every kubectl: " + l);
            }
        }
        assertTrue(watched.contains("kubectl -n team-a apply -f examples/hello/hello.yaml"), watched);
        assertTrue(watched.contains("kubectl -n team-a wait --for=condition=Complete sandboxrun/hello"), watched);
        assertTrue(watched.contains("kubectl -n " + Rendered.NAMESPACE + " rollout status deployment/sandboxrun"), watched);

        String all = notes("");
        assertTrue(all.contains("kubectl -n " + Rendered.NAMESPACE + " apply -f examples/hello/hello.yaml"),
                "all namespaces watched: the example goes where the deny-all policy is: " + all);
        assertTrue(notes("sandboxPods: {networkPolicy: {namespaces: [runs]}}\n")
                .contains("kubectl -n runs apply -f examples/hello/hello.yaml"));
    }

    @Test
    void theWaitLastsAsLongAsTheRunWaitsForItsProgram() throws Exception {
        assertTrue(notes("").contains("sandboxrun/hello --timeout=5m"));
        assertTrue(notes("sourceWaitTimeout: 12m\n").contains("sandboxrun/hello --timeout=12m"));
    }

    @Test
    void itWarnsWhenNoCeilingIsSetAndSaysWhoMayRunCode() throws Exception {
        String none = notes("");
        assertTrue(none.contains("WARNING: no ceilings are set"), none);
        assertTrue(none.contains("sandboxrun-user and sandboxrun-viewer"), none);
        assertTrue(none.contains("sandboxrun.dev/allow-runs: \"true\""), none);
        String some = notes("ceilings: {memory: 1Gi}\n");
        assertFalse(some.contains("WARNING: no ceilings"), some);
    }
}
