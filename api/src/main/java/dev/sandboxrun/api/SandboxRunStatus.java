package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** What happened to the run; written by the operator (or by a local run, the same way). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxRunStatus {
    @PrinterColumn(name = "Phase", priority = 0)
    private Phase phase;
    @PrinterColumn(name = "Verdict", priority = 0)
    private Verdict verdict;
    @PrinterColumn(name = "Exit", priority = 0)
    private Integer exitCode;
    private String signal;
    private String syscall;
    private String message;
    private Usage usage;
    private StdoutStatus stdout;
    private String stderrTail;
    /**
     * The SHA-256 of the program that ran, as the launcher computed it from the bytes it executed
     * (or, for a local run, as the CLI checked it before the run); absent when nothing reported one.
     */
    private String programSha256;
    private String podName;
    private Integer attempts;
    private String startTime;
    private String completionTime;
    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();

    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public Verdict getVerdict() { return verdict; }
    public void setVerdict(Verdict verdict) { this.verdict = verdict; }
    public Integer getExitCode() { return exitCode; }
    public void setExitCode(Integer exitCode) { this.exitCode = exitCode; }
    public String getSignal() { return signal; }
    public void setSignal(String signal) { this.signal = signal; }
    public String getSyscall() { return syscall; }
    public void setSyscall(String syscall) { this.syscall = syscall; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
    public Usage getUsage() { return usage; }
    public void setUsage(Usage usage) { this.usage = usage; }
    public StdoutStatus getStdout() { return stdout; }
    public void setStdout(StdoutStatus stdout) { this.stdout = stdout; }
    public String getStderrTail() { return stderrTail; }
    public void setStderrTail(String stderrTail) { this.stderrTail = stderrTail; }
    public String getProgramSha256() { return programSha256; }
    public void setProgramSha256(String programSha256) { this.programSha256 = programSha256; }
    public String getPodName() { return podName; }
    public void setPodName(String podName) { this.podName = podName; }
    public Integer getAttempts() { return attempts; }
    public void setAttempts(Integer attempts) { this.attempts = attempts; }
    public String getStartTime() { return startTime; }
    public void setStartTime(String startTime) { this.startTime = startTime; }
    public String getCompletionTime() { return completionTime; }
    public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

    /** The condition of this type, or null. */
    @JsonIgnore
    public Condition condition(String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    @JsonIgnore
    public boolean isFinished() {
        return phase != null && phase.isFinished();
    }
}
