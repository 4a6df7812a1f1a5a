package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;

/** Resources the program used, as the launcher measured them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Usage {
    @PrinterColumn(name = "CPU-ms", priority = 0)
    private Long cpuMs;
    private Long wallMs;
    @PrinterColumn(name = "Peak-Memory", priority = 0)
    private Long maxRssBytes;
    /** How the memory limit was enforced: cgroup-v2, cgroup-v1, container-cgroup or supervisor. */
    private String memoryEnforcement;

    public Usage() {
    }

    public Usage(Long cpuMs, Long wallMs, Long maxRssBytes) {
        this.cpuMs = cpuMs;
        this.wallMs = wallMs;
        this.maxRssBytes = maxRssBytes;
    }

    public Usage(Long cpuMs, Long wallMs, Long maxRssBytes, String memoryEnforcement) {
        this(cpuMs, wallMs, maxRssBytes);
        this.memoryEnforcement = memoryEnforcement;
    }

    public Long getCpuMs() { return cpuMs; }
    public void setCpuMs(Long cpuMs) { this.cpuMs = cpuMs; }
    public Long getWallMs() { return wallMs; }
    public void setWallMs(Long wallMs) { this.wallMs = wallMs; }
    public Long getMaxRssBytes() { return maxRssBytes; }
    public void setMaxRssBytes(Long maxRssBytes) { this.maxRssBytes = maxRssBytes; }
    public String getMemoryEnforcement() { return memoryEnforcement; }
    public void setMemoryEnforcement(String memoryEnforcement) { this.memoryEnforcement = memoryEnforcement; }
}
