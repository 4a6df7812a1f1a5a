package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the program comes from: exactly one source. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) + (has(self.image) ? 1 : 0) == 1",
        message = "program needs exactly one source: configMap, secret or image")
public class ProgramSource {
    private KeyRef configMap;
    private KeyRef secret;
    private ImageRef image;

    public static ProgramSource configMap(String name, String key) {
        ProgramSource p = new ProgramSource();
        p.setConfigMap(new KeyRef(name, key));
        return p;
    }

    public KeyRef getConfigMap() { return configMap; }
    public void setConfigMap(KeyRef configMap) { this.configMap = configMap; }
    public KeyRef getSecret() { return secret; }
    public void setSecret(KeyRef secret) { this.secret = secret; }
    public ImageRef getImage() { return image; }
    public void setImage(ImageRef image) { this.image = image; }
}
