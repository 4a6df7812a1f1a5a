package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * Where the program comes from: exactly one source. {@code parts} holds a program larger than one
 * ConfigMap or Secret can (1 MiB): its pieces, concatenated in order, checked against
 * {@code sha256}. {@link ProgramLayout} is the layout the CLI uploads parts in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) + (has(self.image) ? 1 : 0)"
        + " + (has(self.parts) ? 1 : 0) == 1", message = ProgramSource.ONE_SOURCE)
@ValidationRule(value = "!has(self.parts) || has(self.sha256)", message = ProgramSource.PARTS_NEED_SHA256)
public class ProgramSource {
    static final String ONE_SOURCE = "program needs exactly one source: configMap, secret, image or parts";
    static final String PARTS_NEED_SHA256 = "program.parts needs program.sha256, the SHA-256 of the whole program";
    public static final String SHA256_PATTERN = "^[0-9a-f]{64}$";

    private KeyRef configMap;
    private KeyRef secret;
    private ImageRef image;

    /** Pieces of the program, concatenated in this order. */
    @Size(min = 1, max = ProgramLayout.MAX_PARTS)
    private List<PartRef> parts;

    /**
     * Hex SHA-256 of the whole program: required with parts, optional otherwise; the launcher runs
     * the program only when its bytes have this digest.
     */
    @Pattern(SHA256_PATTERN)
    private String sha256;

    public static ProgramSource configMap(String name, String key) {
        ProgramSource p = new ProgramSource();
        p.setConfigMap(new KeyRef(name, key));
        return p;
    }

    public static ProgramSource parts(String sha256, List<PartRef> parts) {
        ProgramSource p = new ProgramSource();
        p.setSha256(sha256);
        p.setParts(parts);
        return p;
    }

    public KeyRef getConfigMap() { return configMap; }
    public void setConfigMap(KeyRef configMap) { this.configMap = configMap; }
    public KeyRef getSecret() { return secret; }
    public void setSecret(KeyRef secret) { this.secret = secret; }
    public ImageRef getImage() { return image; }
    public void setImage(ImageRef image) { this.image = image; }
    public List<PartRef> getParts() { return parts; }
    public void setParts(List<PartRef> parts) { this.parts = parts; }
    public String getSha256() { return sha256; }
    public void setSha256(String sha256) { this.sha256 = sha256; }

    /** How many sources are set (the rule wants exactly one). */
    @JsonIgnore
    public int sourceCount() {
        return (configMap != null ? 1 : 0) + (secret != null ? 1 : 0) + (image != null ? 1 : 0) + (parts != null ? 1 : 0);
    }
}
