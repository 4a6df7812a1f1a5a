package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The checks the API server makes on a SandboxRun before anyone runs it, for whoever sees a spec
 * without an API server (the CLI's local runs, and the operator if it wants them again):
 *
 * <ul>
 *   <li>the schema's own limits, read from the same annotations the CRD is generated from
 *       ({@code @Required}, {@code @Pattern}, {@code @Size}, {@code @Min}, {@code @Max} on the
 *       model's fields), so a rule added to the model is checked here with no second copy;</li>
 *   <li>the CEL rules of the model, one by one ({@code program} has exactly one source,
 *       {@code parts} come with {@code sha256}, each part one source, {@code stdin} at most one,
 *       quantities positive, stdout at most 8Mi);</li>
 *   <li>Kubernetes' rule for {@code metadata.name} (a DNS-1123 subdomain);</li>
 *   <li>the launcher's own floor for memory ({@link #MEMORY_MIN_BYTES}).</li>
 * </ul>
 *
 * Each problem is one phrase naming the field, as the API server's messages do.
 */
public final class SpecValidation {
    /**
     * The least memory the launcher runs a program with ({@code SR_MEMORY_MIN} in
     * {@code native/include/sandboxrun.h}): below it nothing can start.
     */
    public static final long MEMORY_MIN_BYTES = 1L << 20;
    /** Kubernetes' object names: a DNS-1123 subdomain. */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
    public static final int NAME_MAX = 253;

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(NAME_PATTERN);

    private SpecValidation() {
    }

    /** What the API server (and the launcher) would refuse in this resource; empty when nothing. */
    public static List<String> problems(SandboxRun run) {
        List<String> out = new ArrayList<>();
        String name = run.getMetadata() == null ? null : run.getMetadata().getName();
        nameProblem("metadata.name", name).ifPresent(out::add);
        String ns = run.getMetadata() == null ? null : run.getMetadata().getNamespace();
        if (ns != null && !ns.isEmpty()) {
            nameProblem("metadata.namespace", ns).ifPresent(out::add);
        }
        if (run.getSpec() == null) {
            out.add("spec: Required value");
            return out;
        }
        out.addAll(problems(run.getSpec()));
        return out;
    }

    /** What the CRD's schema and rules refuse in a spec, plus the launcher's memory floor. */
    public static List<String> problems(SandboxRunSpec spec) {
        List<String> out = new ArrayList<>();
        schema("spec", spec, out);
        ProgramSource p = spec.getProgram();
        if (p != null) {
            if (p.sourceCount() != 1) {
                out.add("spec.program: " + ProgramSource.ONE_SOURCE);
            }
            if (p.getParts() != null && p.getSha256() == null) {
                out.add("spec.program: " + ProgramSource.PARTS_NEED_SHA256);
            }
            if (p.getParts() != null) {
                for (int i = 0; i < p.getParts().size(); i++) {
                    PartRef part = p.getParts().get(i);
                    if (part == null || (part.getConfigMap() != null ? 1 : 0) + (part.getSecret() != null ? 1 : 0) != 1) {
                        out.add("spec.program.parts[" + i + "]: " + PartRef.ONE_SOURCE);
                    }
                }
            }
        }
        StdinSource s = spec.getStdin();
        if (s != null) {
            int sources = (s.getText() != null ? 1 : 0) + (s.getConfigMap() != null ? 1 : 0) + (s.getSecret() != null ? 1 : 0);
            if (sources > 1) {
                out.add("spec.stdin: stdin takes at most one source: text, configMap or secret");
            }
        }
        if (spec.getLimits() != null) {
            out.addAll(limitsRules(spec.getLimits()));
        }
        return out;
    }

    /** What the schema and rules refuse in limits alone (as given on a command line), fields named spec.limits.*. */
    public static List<String> limitsProblems(Limits l) {
        List<String> out = new ArrayList<>();
        if (l != null) {
            schema("spec.limits", l, out);
            out.addAll(limitsRules(l));
        }
        return out;
    }

    private static List<String> limitsRules(Limits l) {
        List<String> out = new ArrayList<>();
        quantity(out, "spec.limits.memory", l.getMemory(), MEMORY_MIN_BYTES,
                "the launcher needs at least 1Mi to start a program");
        quantity(out, "spec.limits.stdout", l.getStdout(), 0, null);
        if (l.getStdout() != null && fits(l.getStdout()) && Sizes.bytes(l.getStdout()) > EffectiveLimits.STDOUT_HARD_MAX) {
            out.add("spec.limits.stdout: stdout is at most 8Mi");
        }
        quantity(out, "spec.limits.cores", l.getCores(), 0, null);
        duration(out, "spec.limits.cpu", l.getCpu());
        duration(out, "spec.limits.wallClock", l.getWallClock());
        return out;
    }

    /** Kubernetes' rule for a name, or empty. */
    public static java.util.Optional<String> nameProblem(String field, String name) {
        if (name == null || name.isEmpty()) {
            return java.util.Optional.of(field + ": Required value");
        }
        if (name.length() > NAME_MAX || !NAME.matcher(name).matches()) {
            return java.util.Optional.of(field + ": Invalid value: \"" + shorten(name) + "\": a lowercase RFC 1123 subdomain"
                    + " must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an"
                    + " alphanumeric character (at most " + NAME_MAX + " characters)");
        }
        return java.util.Optional.empty();
    }

    private static boolean fits(String quantity) {
        try {
            Sizes.bytes(quantity);
            return true;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }

    private static void quantity(List<String> out, String field, String value, long min, String why) {
        if (value == null || !value.matches(Limits.QUANTITY_PATTERN)) {
            return;   // the schema's pattern has said it
        }
        long bytes;
        try {
            bytes = Sizes.bytes(value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            out.add(field + ": " + value + " must be positive and at most " + Long.MAX_VALUE);
            return;
        }
        if (bytes <= 0) {
            out.add(field + ": must be positive");
        } else if (bytes < min) {
            out.add(field + ": " + value + " is less than the least allowed, " + min + " bytes (" + why + ")");
        }
    }

    private static void duration(List<String> out, String field, String value) {
        if (value == null || !value.matches(Limits.DURATION_PATTERN)) {
            return;
        }
        try {
            Sizes.millis(value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            out.add(field + ": " + value + " is too long a duration");
        }
    }

    /** The annotations of the model's fields, as the CRD generator turns them into the schema. */
    private static void schema(String path, Object value, List<String> out) {
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                JsonProperty jp = f.getAnnotation(JsonProperty.class);
                String name = path + "." + (jp != null && !jp.value().isEmpty() ? jp.value() : f.getName());
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                check(f, name, v, out);
                if (v == null) {
                    continue;
                }
                if (isModel(v.getClass())) {
                    schema(name, v, out);
                } else if (v instanceof List<?> list) {
                    for (int i = 0; i < list.size(); i++) {
                        Object item = list.get(i);
                        if (item != null && isModel(item.getClass())) {
                            schema(name + "[" + i + "]", item, out);
                        }
                    }
                }
            }
        }
    }

    private static boolean isModel(Class<?> c) {
        return c.getPackageName().equals(SandboxRun.class.getPackageName()) && !c.isEnum();
    }

    private static void check(Field f, String name, Object v, List<String> out) {
        if (v == null) {
            if (f.isAnnotationPresent(Required.class)) {
                out.add(name + ": Required value");
            }
            return;
        }
        Size size = f.getAnnotation(Size.class);
        if (size != null) {
            long n = v instanceof CharSequence s ? s.length() : v instanceof Collection<?> col ? col.size()
                    : v instanceof Map<?, ?> m ? m.size() : -1;
            String unit = v instanceof CharSequence ? " characters" : " items";
            if (n >= 0 && n < size.min()) {
                out.add(name + ": must have at least " + size.min() + unit);
            }
            if (n >= 0 && size.max() > 0 && size.max() < Long.MAX_VALUE && n > size.max()) {
                out.add(name + ": must have at most " + size.max() + unit + " (has " + n + ")");
            }
        }
        Pattern pattern = f.getAnnotation(Pattern.class);
        if (pattern != null && v instanceof CharSequence s && !java.util.regex.Pattern.compile(pattern.value()).matcher(s).find()) {
            out.add(name + ": Invalid value: \"" + shorten(s.toString()) + "\": should match '" + pattern.value() + "'");
        }
        if (v instanceof Number n) {
            Min min = f.getAnnotation(Min.class);
            if (min != null && (min.inclusive() ? n.doubleValue() < min.value() : n.doubleValue() <= min.value())) {
                out.add(name + ": Invalid value: " + n + ": should be greater than or equal to " + number(min.value()));
            }
            Max max = f.getAnnotation(Max.class);
            if (max != null && (max.inclusive() ? n.doubleValue() > max.value() : n.doubleValue() >= max.value())) {
                out.add(name + ": Invalid value: " + n + ": should be less than or equal to " + number(max.value()));
            }
        }
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
