package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the program reads on stdin: at most one source; none means empty stdin. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.text) ? 1 : 0) + (has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) <= 1",
        message = "stdin takes at most one source: text, configMap or secret")
public class StdinSource {
    @Size(max = 262144)
    private String text;
    private KeyRef configMap;
    private KeyRef secret;

    public static StdinSource text(String text) {
        StdinSource s = new StdinSource();
        s.setText(text);
        return s;
    }

    public String getText() { return text; }
    public void setText(String text) { this.text = text; }
    public KeyRef getConfigMap() { return configMap; }
    public void setConfigMap(KeyRef configMap) { this.configMap = configMap; }
    public KeyRef getSecret() { return secret; }
    public void setSecret(KeyRef secret) { this.secret = secret; }
}
