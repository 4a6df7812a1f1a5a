package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherResultTest {
    static final String SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static String doc(String verdict, String exit, String signal) {
        return "{\"verdict\":\"" + verdict + "\",\"exitCode\":" + exit + ",\"signal\":" + signal
                + ",\"syscall\":null,\"cpuMs\":12,\"wallMs\":15,\"maxRssBytes\":1048576,\"stdoutBytes\":0,"
                + "\"stdoutSha256\":\"" + SHA_EMPTY + "\",\"stderrTail\":\"\",\"message\":\"m\",\"extra\":1}";
    }

    @Test
    void parsesTheContractsDocument() throws Exception {
        LauncherResult r = LauncherResult.parse(doc("Signaled", "null", "\"SIGSEGV\""));
        assertEquals(Verdict.Signaled, r.verdictValue());
        assertNull(r.exitCode());
        assertEquals("SIGSEGV", r.signal());
        assertEquals(12, r.cpuMs());
        assertEquals(1048576, r.maxRssBytes());
        assertEquals(r, LauncherResult.parse(r.toJson()));
    }

    @Test
    void refusesWhatIsNotAResult() {
        String[] bad = {"", "not json", "[]", doc("ProgramNotFound", "0", "null"), doc("Nope", "0", "null"),
                doc("Completed", "0", "null").replace(SHA_EMPTY, "abc"),
                doc("Completed", "0", "null").replace("\"cpuMs\":12,", ""),
                doc("Completed", "0", "null").replace("\"message\":\"m\"", "\"message\":\"" + "x".repeat(4100) + "\"")};
        for (String b : bad) {
            LauncherResult.InvalidResultException e = assertThrows(LauncherResult.InvalidResultException.class,
                    () -> LauncherResult.parse(b), b);
            assertTrue(!e.getMessage().isBlank());
        }
    }

    @Test
    void readsHowMemoryWasEnforcedAndToleratesItsAbsence() throws Exception {
        LauncherResult r = LauncherResult.parse(doc("Completed", "0", "null")
                .replace("\"extra\":1", "\"memoryEnforcement\":\"cgroup-v2\""));
        assertEquals("cgroup-v2", r.memoryEnforcement());
        assertTrue(LauncherResult.MEMORY_ENFORCEMENTS.contains(r.memoryEnforcement()));
        assertNull(LauncherResult.parse(doc("Completed", "0", "null")).memoryEnforcement());
        SandboxRunStatus s = new SandboxRunStatus();
        StatusMapper.applyResult(s, r, StatusMapper.CollectedStdout.NONE, java.time.Instant.EPOCH);
        assertEquals("cgroup-v2", s.getUsage().getMemoryEnforcement());
    }

    @Test
    void readsTheProgramsDigestIntoStatusAndToleratesItsAbsence() throws Exception {
        String sha = "cd".repeat(32);
        LauncherResult r = LauncherResult.parse(doc("Completed", "0", "null")
                .replace("\"extra\":1", "\"programSha256\":\"" + sha + "\""));
        assertEquals(sha, r.programSha256());
        SandboxRunStatus s = new SandboxRunStatus();
        StatusMapper.applyResult(s, r, StatusMapper.CollectedStdout.NONE, java.time.Instant.EPOCH);
        assertEquals(sha, s.getProgramSha256());
        assertNull(LauncherResult.parse(doc("Completed", "0", "null")).programSha256());
        // Present but unreadable is a failure, never taken as absent.
        assertThrows(LauncherResult.InvalidResultException.class, () -> LauncherResult.parse(doc("Completed", "0", "null")
                .replace("\"extra\":1", "\"programSha256\":\"XYZ\"")));
    }
}
