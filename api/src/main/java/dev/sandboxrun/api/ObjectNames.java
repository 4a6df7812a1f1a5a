package dev.sandboxrun.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the objects made for a run, valid for any valid run name. A run's name may be a DNS
 * subdomain of up to 253 characters (the API server's limit for custom resources,
 * apimachinery validation.go DNS1123SubdomainMaxLength); a name built from it plus a suffix is cut
 * to fit, with a hash of the whole so that two long names never meet.
 */
public final class ObjectNames {
    /** The longest name of a pod, ConfigMap, Secret or Event. */
    public static final int MAX = 253;

    private ObjectNames() {
    }

    /** {@code base + suffix} when it fits; else a prefix of base, a hash of base, and the suffix. */
    public static String withSuffix(String base, String suffix) {
        if (base.length() + suffix.length() <= MAX) {
            return base + suffix;
        }
        String hash = "-" + sha256(base).substring(0, 10);
        String head = base.substring(0, MAX - suffix.length() - hash.length());
        // A DNS label cannot end in '-' or '.': cut back to an alphanumeric.
        while (!head.isEmpty() && !Character.isLetterOrDigit(head.charAt(head.length() - 1))) {
            head = head.substring(0, head.length() - 1);
        }
        return head + hash + suffix;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
