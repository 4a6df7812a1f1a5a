package dev.sandboxrun.operator.access;

import io.fabric8.kubernetes.api.model.Toleration;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One toleration an administrator lets runs ask for, written {@code key[=value][:Effect]} (the
 * shape of {@code kubectl taint}): {@code dedicated=sandbox:NoSchedule} is that exact toleration;
 * {@code dedicated:NoSchedule} any value of key {@code dedicated} (operator Exists) for that effect;
 * {@code dedicated} any value, any effect. There is no entry for "every taint" (an empty key): a
 * run that tolerates everything can land on any node, control plane included.
 *
 * <p>A run's toleration is allowed when every taint it tolerates is tolerated by this entry too.
 */
public record AllowedToleration(String key, String value, String effect) {
    static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    /** A label key (optional DNS prefix, then the name) and a label value, as taints use them. */
    private static final Pattern KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

    /** {@code value} null: any value (Exists); {@code effect} null: every effect. */
    public AllowedToleration {
        if (key == null || key.length() > 316 || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a taint key: '" + key + "'");
        }
        if (value != null && (value.length() > 63 || !VALUE.matcher(value).matches())) {
            throw new IllegalArgumentException("not a taint value: '" + value + "'");
        }
        if (effect != null && !EFFECTS.contains(effect)) {
            throw new IllegalArgumentException("not a taint effect: '" + effect + "' (NoSchedule, PreferNoSchedule or NoExecute)");
        }
    }

    /** Parses {@code key[=value][:Effect]}. */
    public static AllowedToleration parse(String text) {
        String s = text == null ? "" : text.trim();
        String effect = null;
        int colon = s.lastIndexOf(':');
        if (colon >= 0) {
            effect = s.substring(colon + 1);
            s = s.substring(0, colon);
        }
        String value = null;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            value = s.substring(eq + 1);
            s = s.substring(0, eq);
        }
        try {
            return new AllowedToleration(s, value, effect);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("allowed toleration '" + text + "': " + e.getMessage()
                    + "; write key[=value][:Effect]", e);
        }
    }

    /** Whether every taint {@code t} tolerates is one this entry allows. */
    public boolean covers(Toleration t) {
        String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        String tEffect = t.getEffect() == null || t.getEffect().isEmpty() ? null : t.getEffect();
        String tKey = t.getKey() == null ? "" : t.getKey();
        if (tKey.isEmpty() || !tKey.equals(key)) {
            return false; // an empty key tolerates every key
        }
        if (effect != null && !effect.equals(tEffect)) {
            return false; // no effect tolerates every effect
        }
        return switch (op) {
            case "Exists" -> value == null;
            case "Equal" -> value == null || value.equals(t.getValue() == null ? "" : t.getValue());
            default -> value == null; // Lt/Gt (newer clusters) tolerate some values of the key
        };
    }

    @Override
    public String toString() {
        return key + (value == null ? "" : "=" + value) + (effect == null ? "" : ":" + effect);
    }
}
