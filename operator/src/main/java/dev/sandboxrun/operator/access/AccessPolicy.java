package dev.sandboxrun.operator.access;

import dev.sandboxrun.operator.config.OperatorConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the operator's administrator lets runs reach beyond their own spec ({@code sandboxrun.access.*},
 * the chart's {@code access} values). Empty lists allow nothing: a Secret needs its own opt-in
 * label, a run may name no toleration and no RuntimeClass or PriorityClass other than the default.
 *
 * @param secrets            {@code namespace/name} or {@code namespace/*}: Secrets readable without their label
 * @param tolerations        tolerations runs may ask for
 * @param runtimeClassNames  RuntimeClasses runs may name, the operator's default one included
 * @param priorityClassNames PriorityClasses runs may name
 */
public record AccessPolicy(Set<String> secrets, List<AllowedToleration> tolerations, Set<String> runtimeClassNames,
                           Set<String> priorityClassNames) {
    /** Nothing beyond the defaults (and no default RuntimeClass). */
    public static final AccessPolicy NONE = new AccessPolicy(Set.of(), List.of(), Set.of(), Set.of());

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public AccessPolicy {
        secrets = Set.copyOf(secrets);
        tolerations = List.copyOf(tolerations);
        runtimeClassNames = Set.copyOf(runtimeClassNames);
        priorityClassNames = Set.copyOf(priorityClassNames);
        for (String s : secrets) {
            int slash = s.indexOf('/');
            String ns = slash < 0 ? "" : s.substring(0, slash);
            String name = slash < 0 ? "" : s.substring(slash + 1);
            if (!DNS_LABEL.matcher(ns).matches() || !(name.equals("*") || DNS_SUBDOMAIN.matcher(name).matches())) {
                throw new IllegalArgumentException("allowed Secret '" + s + "': write namespace/name or namespace/*");
            }
        }
        names("RuntimeClass", runtimeClassNames);
        names("PriorityClass", priorityClassNames);
    }

    /**
     * The policy of this configuration; a malformed entry stops the operator at start-up with its
     * reason rather than allowing more or less than the administrator wrote.
     */
    public static AccessPolicy from(OperatorConfig config) {
        OperatorConfig.Access a = config.access();
        Set<String> runtimeClasses = new LinkedHashSet<>(trimmed(a.runtimeClassNames().orElse(List.of())));
        config.launcher().runtimeClassName().filter(s -> !s.isBlank()).ifPresent(runtimeClasses::add);
        return new AccessPolicy(
                new LinkedHashSet<>(trimmed(a.secrets().orElse(List.of()))),
                trimmed(a.tolerations().orElse(List.of())).stream().map(AllowedToleration::parse).toList(),
                runtimeClasses,
                new LinkedHashSet<>(trimmed(a.priorityClassNames().orElse(List.of()))));
    }

    /** Whether this Secret may be read without its own opt-in label. */
    public boolean secretListed(String namespace, String name) {
        return secrets.contains(namespace + "/" + name) || secrets.contains(namespace + "/*");
    }

    private static List<String> trimmed(Collection<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }

    private static void names(String what, Set<String> names) {
        for (String n : names) {
            if (n.length() > 253 || !DNS_SUBDOMAIN.matcher(n).matches()) {
                throw new IllegalArgumentException("allowed " + what + " '" + n + "' is not a valid name");
            }
        }
    }
}
