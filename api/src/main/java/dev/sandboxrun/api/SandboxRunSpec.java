package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** What to run and under which limits. Immutable once created (a CEL rule on {@code spec}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxRunSpec {
    @Required
    private ProgramSource program;

    @Size(max = 1024)
    private List<String> args = new ArrayList<>();

    private StdinSource stdin;

    private Profile profile;

    private Limits limits;

    /** Attempts after the first, for infrastructure failures only, never for a program's verdict. */
    @Min(0)
    @Max(10)
    private Integer retries;

    @Min(0)
    private Long ttlSecondsAfterFinished;

    private Placement placement;

    public ProgramSource getProgram() { return program; }
    public void setProgram(ProgramSource program) { this.program = program; }
    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public StdinSource getStdin() { return stdin; }
    public void setStdin(StdinSource stdin) { this.stdin = stdin; }
    public Profile getProfile() { return profile; }
    public void setProfile(Profile profile) { this.profile = profile; }
    public Limits getLimits() { return limits; }
    public void setLimits(Limits limits) { this.limits = limits; }
    public Integer getRetries() { return retries; }
    public void setRetries(Integer retries) { this.retries = retries; }
    public Long getTtlSecondsAfterFinished() { return ttlSecondsAfterFinished; }
    public void setTtlSecondsAfterFinished(Long ttlSecondsAfterFinished) { this.ttlSecondsAfterFinished = ttlSecondsAfterFinished; }
    public Placement getPlacement() { return placement; }
    public void setPlacement(Placement placement) { this.placement = placement; }
}
