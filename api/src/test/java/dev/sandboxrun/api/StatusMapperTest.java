package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusMapperTest {
    static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void completedRunIsSucceededWithACompleteCondition() throws Exception {
        SandboxRunStatus s = new SandboxRunStatus();
        s.setObservedGeneration(1L);
        StatusMapper.waiting(s, "ProgramMissing", "waiting for ConfigMap p", T);
        StatusMapper.running(s, "r-run-1", 1, T);
        LauncherResult r = LauncherResult.parse(LauncherResultTest.doc("Completed", "0", "null"));
        StatusMapper.applyResult(s, r, new StatusMapper.CollectedStdout("hi\n".getBytes(), List.of("r-stdout-0"), true), T);
        assertEquals(Phase.Succeeded, s.getPhase());
        assertEquals(Verdict.Completed, s.getVerdict());
        assertEquals(0, s.getExitCode());
        assertEquals("m", s.getMessage());
        assertEquals(12L, s.getUsage().getCpuMs());
        assertEquals(15L, s.getUsage().getWallMs());
        assertEquals("hi\n", s.getStdout().getPreview());
        assertEquals(List.of("r-stdout-0"), s.getStdout().getConfigMaps());
        assertEquals(LauncherResultTest.SHA_EMPTY, s.getStdout().getSha256());
        assertTrue(s.getStdout().getComplete());
        assertEquals("2026-01-02T03:04:05Z", s.getCompletionTime());
        assertEquals("2026-01-02T03:04:05Z", s.getStartTime());
        assertEquals(1, s.getConditions().size());
        Condition c = s.condition(StatusMapper.COMPLETE);
        assertEquals("True", c.getStatus());
        assertEquals("Completed", c.getReason());
        assertEquals(1L, c.getObservedGeneration());
    }

    @Test
    void otherVerdictsFail() throws Exception {
        SandboxRunStatus s = new SandboxRunStatus();
        LauncherResult r = LauncherResult.parse(LauncherResultTest.doc("Signaled", "null", "\"SIGKILL\""));
        StatusMapper.applyResult(s, r, StatusMapper.CollectedStdout.NONE, T);
        assertEquals(Phase.Failed, s.getPhase());
        assertEquals("SIGKILL", s.getSignal());
        assertNull(s.getExitCode());
        assertFalse(s.getStdout().getComplete());
        assertEquals("Signaled", s.condition(StatusMapper.FAILED).getReason());
        assertNull(s.condition(StatusMapper.COMPLETE));
    }

    @Test
    void operatorVerdicts() {
        SandboxRunStatus s = new SandboxRunStatus();
        StatusMapper.applyVerdict(s, Verdict.ProgramNotFound, "ConfigMap p not found after 5m", T);
        assertEquals(Phase.Failed, s.getPhase());
        assertEquals(Verdict.ProgramNotFound, s.getVerdict());
        assertEquals("ConfigMap p not found after 5m", s.condition(StatusMapper.FAILED).getMessage());
    }

    @Test
    void previewIsTheFirst4KiBOfUtf8Text() {
        assertEquals("", StatusMapper.preview(new byte[0]));
        byte[] big = "é".repeat(3000).getBytes(StandardCharsets.UTF_8); // 6000 bytes, 2 each
        assertEquals("é".repeat(2048), StatusMapper.preview(big));
        byte[] cut = ("a" + "é".repeat(3000)).getBytes(StandardCharsets.UTF_8); // byte 4096 starts no char
        assertEquals("a" + "é".repeat(2047), StatusMapper.preview(cut));
        assertNull(StatusMapper.preview(new byte[]{'a', 0, 'b'}));
        assertNull(StatusMapper.preview(new byte[]{(byte) 0xff, 'a'}));
        byte[] binaryLater = Arrays.copyOf("ok".getBytes(), 5000);
        Arrays.fill(binaryLater, 2, 5000, (byte) 'x');
        binaryLater[4500] = (byte) 0xff;
        assertEquals(4096, StatusMapper.preview(binaryLater).length());
    }
}
