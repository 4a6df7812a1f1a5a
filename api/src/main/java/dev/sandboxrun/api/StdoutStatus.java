package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/** The program's stdout: its size and hash (from the launcher), where its bytes are kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StdoutStatus {
    private Long bytes;
    private String sha256;
    /** The first 4 KiB, when they are UTF-8 text. */
    private String preview;
    /** The ConfigMaps holding the bytes, in order; each has binaryData key {@code stdout}. */
    private List<String> configMaps = new ArrayList<>();
    /** True only when all the bytes were collected and their length and SHA-256 checked. */
    private Boolean complete;

    public Long getBytes() { return bytes; }
    public void setBytes(Long bytes) { this.bytes = bytes; }
    public String getSha256() { return sha256; }
    public void setSha256(String sha256) { this.sha256 = sha256; }
    public String getPreview() { return preview; }
    public void setPreview(String preview) { this.preview = preview; }
    public List<String> getConfigMaps() { return configMaps; }
    public void setConfigMaps(List<String> configMaps) { this.configMaps = configMaps; }
    public Boolean getComplete() { return complete; }
    public void setComplete(Boolean complete) { this.complete = complete; }
}
