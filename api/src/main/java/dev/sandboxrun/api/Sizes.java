package dev.sandboxrun.api;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;

/** The spec's durations and quantities as numbers. */
public final class Sizes {
    private static final java.util.regex.Pattern DURATION =
            java.util.regex.Pattern.compile(Limits.DURATION_PATTERN);
    private static final java.util.regex.Pattern QUANTITY =
            java.util.regex.Pattern.compile(Limits.QUANTITY_PATTERN);

    private Sizes() {
    }

    /** "500ms", "2s", "1m", "1h" to milliseconds. */
    public static long millis(String duration) {
        Matcher m = duration == null ? null : java.util.regex.Pattern.compile("^([0-9]+)(ms|s|m|h)$").matcher(duration);
        if (m == null || !DURATION.matcher(duration).matches() || !m.matches()) {
            throw new IllegalArgumentException("not a duration (a positive whole number with ms, s, m or h): " + duration);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> Math.multiplyExact(n, 1000L);
            case "m" -> Math.multiplyExact(n, 60_000L);
            default -> Math.multiplyExact(n, 3_600_000L);
        };
    }

    /** A Kubernetes quantity ("64Mi", "1G", "1048576") to bytes, rounded up. */
    public static long bytes(String quantity) {
        BigDecimal b = amount(quantity);
        return b.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A CPU quantity ("1", "500m") to millicores, rounded up. */
    public static long millicores(String quantity) {
        BigDecimal b = amount(quantity).multiply(BigDecimal.valueOf(1000));
        return b.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static BigDecimal amount(String quantity) {
        if (quantity == null || !QUANTITY.matcher(quantity).matches()) {
            throw new IllegalArgumentException("not a positive Kubernetes quantity: " + quantity);
        }
        BigDecimal b = Quantity.getAmountInBytes(new Quantity(quantity));
        if (b.signum() <= 0) {
            throw new IllegalArgumentException("not a positive Kubernetes quantity: " + quantity);
        }
        return b;
    }
}
