package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Where a key of a ConfigMap or Secret holds its value: a ConfigMap in {@code binaryData} (base64)
 * or {@code data} (text), a Secret in {@code data} (base64) or {@code stringData} (text, as
 * written; the API server folds it into data). One reading for the operator's "is the source
 * there" and the CLI's local runs.
 */
public final class SourceKeys {
    /** One map of an object's values: its field name and whether the values are base64. */
    public record Field(String name, Map<String, String> values, boolean base64) {
        public boolean has(String key) {
            return values != null && values.containsKey(key);
        }
    }

    private SourceKeys() {
    }

    /** A ConfigMap's value maps, in the order a key is looked up. */
    public static List<Field> fields(ConfigMap cm) {
        return List.of(new Field("binaryData", cm.getBinaryData(), true), new Field("data", cm.getData(), false));
    }

    /** A Secret's value maps, in the order a key is looked up. */
    public static List<Field> fields(Secret s) {
        return List.of(new Field("data", s.getData(), true), new Field("stringData", s.getStringData(), false));
    }

    public static boolean has(ConfigMap cm, String key) {
        return cm != null && fields(cm).stream().anyMatch(f -> f.has(key));
    }

    public static boolean has(Secret s, String key) {
        return s != null && fields(s).stream().anyMatch(f -> f.has(key));
    }

    /**
     * The key's bytes from the first field that has it, or null when none does.
     *
     * @throws IllegalArgumentException naming {@code field.key} when a base64 value cannot be read
     *     (a value that cannot be read is a failure, never empty)
     */
    public static byte[] value(List<Field> fields, String key) {
        for (Field f : fields) {
            String v = f.values() == null ? null : f.values().get(key);
            if (v == null) {
                continue;
            }
            if (!f.base64()) {
                return v.getBytes(StandardCharsets.UTF_8);
            }
            try {
                return Base64.getMimeDecoder().decode(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f.name() + "." + key + " is not valid base64");
            }
        }
        return null;
    }
}
