package dev.sandboxrun.operator.access;

import dev.sandboxrun.api.Verdict;

/**
 * Why the operator refuses to run a spec on its user's behalf. The run ends {@code Failed} with
 * {@link #verdict()} and {@link #message()}; nothing is created for it.
 */
public record Denial(Verdict verdict, String message) {
    public Denial {
        if (verdict == null || message == null || message.isBlank()) {
            throw new IllegalArgumentException("a denial needs a verdict and a message");
        }
    }

    /** A spec that asks for what the operator's access settings do not allow: {@code InvalidSpec}. */
    static Denial invalidSpec(String message) {
        return new Denial(Verdict.InvalidSpec, message);
    }
}
