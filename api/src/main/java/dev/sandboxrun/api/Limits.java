package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The run's limits. Durations are a positive whole number with {@code ms}, {@code s}, {@code m} or
 * {@code h}; sizes are Kubernetes quantities. Unset fields take the operator's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Limits {
    public static final String DURATION_PATTERN = "^0*[1-9][0-9]{0,8}(ms|s|m|h)$";
    /** A positive Kubernetes quantity without sign or exponent. */
    public static final String QUANTITY_PATTERN = "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[mkMGTPE])?$";

    @Pattern(DURATION_PATTERN)
    @Size(max = 16)
    private String cpu;

    @Pattern(DURATION_PATTERN)
    @Size(max = 16)
    private String wallClock;

    @Pattern(QUANTITY_PATTERN)
    @Size(max = 32)
    @ValidationRule(value = "quantity(self).isGreaterThan(quantity('0'))", message = "memory must be positive")
    private String memory;

    @Pattern(QUANTITY_PATTERN)
    @Size(max = 32)
    @ValidationRule(value = "quantity(self).compareTo(quantity('8Mi')) <= 0", message = "stdout is at most 8Mi")
    private String stdout;

    @Pattern(QUANTITY_PATTERN)
    @Size(max = 32)
    @ValidationRule(value = "quantity(self).isGreaterThan(quantity('0'))", message = "cores must be positive")
    private String cores;

    public String getCpu() { return cpu; }
    public void setCpu(String cpu) { this.cpu = cpu; }
    public String getWallClock() { return wallClock; }
    public void setWallClock(String wallClock) { this.wallClock = wallClock; }
    public String getMemory() { return memory; }
    public void setMemory(String memory) { this.memory = memory; }
    public String getStdout() { return stdout; }
    public void setStdout(String stdout) { this.stdout = stdout; }
    public String getCores() { return cores; }
    public void setCores(String cores) { this.cores = cores; }
}
