package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;

/** One part of a program given in parts: a key of a ConfigMap or of a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) == 1",
        message = PartRef.ONE_SOURCE)
public class PartRef {
    static final String ONE_SOURCE = "a program part is exactly one of configMap or secret";

    private KeyRef configMap;
    private KeyRef secret;

    public static PartRef configMap(String name, String key) {
        PartRef p = new PartRef();
        p.setConfigMap(new KeyRef(name, key));
        return p;
    }

    public static PartRef secret(String name, String key) {
        PartRef p = new PartRef();
        p.setSecret(new KeyRef(name, key));
        return p;
    }

    public KeyRef getConfigMap() { return configMap; }
    public void setConfigMap(KeyRef configMap) { this.configMap = configMap; }
    public KeyRef getSecret() { return secret; }
    public void setSecret(KeyRef secret) { this.secret = secret; }

    /** The key this part names, whichever kind holds it (null when neither is set). */
    public KeyRef ref() {
        return configMap != null ? configMap : secret;
    }

    public boolean isSecret() {
        return configMap == null && secret != null;
    }

    @Override
    public String toString() {
        KeyRef r = ref();
        return (isSecret() ? "Secret " : "ConfigMap ") + (r == null ? "?" : r.getName() + " key " + r.getKey());
    }
}
