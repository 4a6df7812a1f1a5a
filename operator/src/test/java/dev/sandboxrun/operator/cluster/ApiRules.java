package dev.sandboxrun.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The object validation a real API server applies to every create and update and the Fabric8 mock
 * does not, so that what passes here is what a cluster accepts. Each rule names its source.
 */
public final class ApiRules {
    /**
     * etcd refuses a request over {@code --max-request-bytes}, 1.5 MiB by default
     * (etcd server/embed/config.go DefaultMaxRequestBytes = 1.5 * 1024 * 1024); the API server
     * answers "etcdserver: request is too large".
     */
    public static final int MAX_REQUEST_BYTES = 1536 * 1024;
    /**
     * staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go: TotalAnnotationSizeLimitB =
     * 256 * (1 << 10), counted over every key and value of metadata.annotations.
     */
    public static final int TOTAL_ANNOTATION_BYTES = 256 * 1024;
    /** staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go: LabelValueMaxLength = 63. */
    public static final int LABEL_VALUE_MAX = 63;
    /** Same file: DNS1123SubdomainMaxLength = 253 (names of pods, ConfigMaps, Secrets, custom resources). */
    public static final int SUBDOMAIN_MAX = 253;
    /** Same file: qualifiedNameMaxLength = 63 (the name part of a label or annotation key). */
    public static final int QUALIFIED_NAME_MAX = 63;

    /** validation.go labelValueFmt: empty, or alphanumerics at both ends with '-', '_', '.' inside. */
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    /** validation.go qualifiedNameFmt. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    /** validation.go dns1123SubdomainFmt. */
    private static final Pattern SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** A volume source Kubernetes knows; one of them must be set on every pod volume. */
    private static final List<String> VOLUME_TYPES = List.of("configMap", "secret", "downwardAPI", "emptyDir",
            "projected", "image", "hostPath", "persistentVolumeClaim", "ephemeral", "csi", "nfs");

    private final boolean imageVolumeEnabled;

    /**
     * @param imageVolumeEnabled the ImageVolume feature gate: when off, the API server drops a pod
     *     volume's {@code image} field (pkg/api/pod/util.go dropDisabledFields), and the pod is then
     *     refused for a volume with no type (pkg/apis/core/validation/validation.go validateVolumeSource:
     *     "must specify a volume type")
     */
    public ApiRules(boolean imageVolumeEnabled) {
        this.imageVolumeEnabled = imageVolumeEnabled;
    }

    /** Why the API server would refuse this object (empty when it accepts it). */
    public List<String> violations(JsonNode object) {
        List<String> out = new ArrayList<>();
        JsonNode meta = object.path("metadata");
        String name = meta.path("name").asText("");
        if (!name.isEmpty()) {
            subdomain("metadata.name", name, out);
        }
        labels(meta.path("labels"), out);
        annotations(meta.path("annotations"), out);
        if ("Pod".equals(object.path("kind").asText())) {
            JsonNode volumes = object.path("spec").path("volumes");
            for (int i = 0; i < volumes.size(); i++) {
                JsonNode v = volumes.get(i);
                boolean typed = VOLUME_TYPES.stream().anyMatch(t -> v.has(t) && !v.get(t).isNull()
                        && (imageVolumeEnabled || !"image".equals(t)));
                if (!typed) {
                    out.add("spec.volumes[" + i + "]: Required value: must specify a volume type");
                }
            }
        }
        return out;
    }

    private static void subdomain(String field, String value, List<String> out) {
        if (value.length() > SUBDOMAIN_MAX) {
            out.add(field + ": Invalid value: \"" + value + "\": must be no more than " + SUBDOMAIN_MAX + " characters");
        }
        if (!SUBDOMAIN.matcher(value).matches()) {
            out.add(field + ": Invalid value: \"" + value + "\": a lowercase RFC 1123 subdomain must consist of lower"
                    + " case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }
    }

    private static void key(String field, String key, List<String> out) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            subdomain(field, key.substring(0, slash), out);
            name = key.substring(slash + 1);
        }
        if (name.length() > QUALIFIED_NAME_MAX || !QUALIFIED_NAME.matcher(name).matches()) {
            out.add(field + ": Invalid value: \"" + key + "\": name part must be no more than 63 characters and "
                    + "consist of alphanumeric characters, '-', '_' or '.'");
        }
    }

    private static void labels(JsonNode labels, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            var e = it.next();
            key("metadata.labels", e.getKey(), out);
            String v = e.getValue().asText("");
            if (v.length() > LABEL_VALUE_MAX) {
                out.add("metadata.labels: Invalid value: \"" + v + "\": must be no more than 63 characters");
            } else if (!LABEL_VALUE.matcher(v).matches()) {
                out.add("metadata.labels: Invalid value: \"" + v + "\": a valid label must be an empty string or "
                        + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                        + "alphanumeric character");
            }
        }
    }

    private static void annotations(JsonNode annotations, List<String> out) {
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = annotations.fields(); it.hasNext(); ) {
            var e = it.next();
            key("metadata.annotations", e.getKey(), out);
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > TOTAL_ANNOTATION_BYTES) {
            out.add("metadata.annotations: Too long: must have at most " + TOTAL_ANNOTATION_BYTES + " bytes");
        }
    }
}
