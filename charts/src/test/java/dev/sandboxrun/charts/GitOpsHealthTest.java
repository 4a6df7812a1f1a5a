package dev.sandboxrun.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The Argo CD health check of docs/gitops/, run as Argo CD runs it: a script over the global obj. */
class GitOpsHealthTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path DOCS = Path.of(Rendered.property("sandboxrun.docs"));

    record Health(String status, String message) {
    }

    static Health health(String script, String objJson) throws Exception {
        Globals g = JsePlatform.standardGlobals();
        g.set("obj", lua(JSON.readTree(objJson)));
        LuaValue hs = g.load(script, "health.lua").call();
        return new Health(hs.get("status").tojstring(), hs.get("message").tojstring());
    }

    static LuaValue lua(JsonNode n) {
        if (n == null || n.isNull()) {
            return LuaValue.NIL;
        }
        if (n.isObject()) {
            LuaTable t = new LuaTable();
            n.fields().forEachRemaining(e -> t.set(e.getKey(), lua(e.getValue())));
            return t;
        }
        if (n.isArray()) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < n.size(); i++) {
                t.set(i + 1, lua(n.get(i)));
            }
            return t;
        }
        if (n.isBoolean()) {
            return LuaValue.valueOf(n.asBoolean());
        }
        if (n.isNumber()) {
            return LuaValue.valueOf(n.asDouble());
        }
        return LuaValue.valueOf(n.asText());
    }

    static String script() throws Exception {
        return Files.readString(DOCS.resolve("gitops/sandboxrun-health.lua"));
    }

    @Test
    void healthFollowsTheConditions() throws Exception {
        String s = script();
        assertEquals(new Health("Progressing", "waiting for the operator"),
                health(s, "{\"kind\":\"SandboxRun\",\"spec\":{}}"));
        assertEquals(new Health("Progressing", "Queued: queued: 50 of 50 sandbox pods are running"), health(s, """
                {"status":{"phase":"Pending","conditions":[{"type":"Waiting","status":"True","reason":"Queued",
                 "message":"queued: 50 of 50 sandbox pods are running"}]}}"""));
        assertEquals(new Health("Progressing", "phase Running"), health(s, """
                {"status":{"phase":"Running","conditions":[]}}"""));
        assertEquals(new Health("Healthy", "Completed: exited with code 0"), health(s, """
                {"status":{"phase":"Succeeded","verdict":"Completed","conditions":[
                 {"type":"Complete","status":"True","reason":"Completed","message":"exited with code 0"}]}}"""));
        assertEquals(new Health("Degraded", "SyscallViolation: killed: system call socket is not allowed"), health(s, """
                {"status":{"phase":"Failed","verdict":"SyscallViolation","conditions":[
                 {"type":"Failed","status":"True","reason":"SyscallViolation",
                  "message":"killed: system call socket is not allowed"}]}}"""));
        assertEquals(new Health("Degraded", "MemoryLimitExceeded"), health(s, """
                {"status":{"phase":"Failed","conditions":[{"type":"Failed","status":"True","reason":"MemoryLimitExceeded",
                 "message":""}]}}"""));
    }

    @Test
    void theGuideShowsExactlyTheTestedScript() throws Exception {
        List<String> file = new ArrayList<>();
        for (String line : script().split("\n")) {
            if (!line.startsWith("--")) {
                file.add(line);
            }
        }
        List<String> doc = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readString(DOCS.resolve("gitops.md")).split("\n")) {
            if (line.contains("resource.customizations.health.sandboxrun.dev_SandboxRun: |")) {
                in = true;
            } else if (in && line.startsWith("```")) {
                break;
            } else if (in) {
                doc.add(line.startsWith("    ") ? line.substring(4) : line);
            }
        }
        assertFalse(doc.isEmpty(), "docs/gitops.md shows the argocd-cm health check");
        assertEquals(String.join("\n", file).strip(), String.join("\n", doc).strip(),
                "docs/gitops.md and docs/gitops/sandboxrun-health.lua differ");
    }
}
