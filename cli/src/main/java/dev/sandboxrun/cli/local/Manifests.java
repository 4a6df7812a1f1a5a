package dev.sandboxrun.cli.local;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * SandboxRun, ConfigMap and Secret documents read from files and folders as {@code kubectl apply
 * -f} reads them: a folder's {@code .yaml}, {@code .yml} and {@code .json} files in name order,
 * several documents per file. Other kinds are skipped with a note. A YAML or field error names the
 * file and line.
 */
public final class Manifests {
    public static final String DEFAULT_NAMESPACE = "default";
    private static final String SANDBOXRUN_API = SandboxRun.GROUP + "/" + SandboxRun.VERSION;

    /** One document: where it was, what it is. */
    public record Document(Path file, int line, HasMetadata resource) {
        public String where() {
            return file + ":" + line;
        }

        public String namespace() {
            String ns = resource.getMetadata() == null ? null : resource.getMetadata().getNamespace();
            return ns == null || ns.isEmpty() ? DEFAULT_NAMESPACE : ns;
        }

        public String name() {
            return resource.getMetadata() == null ? null : resource.getMetadata().getName();
        }
    }

    private final List<Document> documents;
    private final List<String> skipped;

    private Manifests(List<Document> documents, List<String> skipped) {
        this.documents = documents;
        this.skipped = skipped;
    }

    public List<Document> documents() {
        return documents;
    }

    /** Documents of other kinds, one phrase each ("file:line: Deployment x"). */
    public List<String> skipped() {
        return skipped;
    }

    public List<Document> runs() {
        return documents.stream().filter(d -> d.resource() instanceof SandboxRun).toList();
    }

    /** The ConfigMap or Secret of this name in this namespace, or null. */
    public <T extends HasMetadata> Document find(Class<T> kind, String namespace, String name) {
        for (Document d : documents) {
            if (kind.isInstance(d.resource()) && namespace.equals(d.namespace()) && name.equals(d.name())) {
                return d;
            }
        }
        return null;
    }

    private static ObjectMapper strictMapper() {
        return new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    }

    /** Reads every path (file or folder). */
    public static Manifests read(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    List<Path> found = s.filter(Files::isRegularFile).filter(Manifests::isManifest).sorted().toList();
                    if (found.isEmpty()) {
                        throw new CliException(ExitCodes.BAD_INPUT, p + ": no .yaml, .yml or .json files in this folder");
                    }
                    files.addAll(found);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, p + ": cannot list the folder: " + e.getMessage());
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else if (Files.exists(p)) {
                throw new CliException(ExitCodes.BAD_INPUT, p + ": not a file or folder");
            } else {
                throw new CliException(ExitCodes.BAD_INPUT, p + ": no such file or folder");
            }
        }
        List<Document> docs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        ObjectMapper mapper = strictMapper();
        for (Path f : files) {
            readFile(mapper, f, docs, skipped);
        }
        return new Manifests(docs, skipped);
    }

    private static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private static void readFile(ObjectMapper mapper, Path file, List<Document> docs, List<String> skipped) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.BAD_INPUT, file + ": no such file");
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, file + ": cannot read: " + e.getMessage());
        }
        // Pass 1: the documents as trees, for their kinds (syntax errors carry their line).
        List<JsonNode> trees = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                JsonNode n = mapper.readTree(p);
                if (t == JsonToken.VALUE_NULL || n == null || n.isNull() || n.isMissingNode()) {
                    continue;
                }
                trees.add(n);
                lines.add(line);
            }
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.BAD_INPUT, at(file, e.getLocation()) + ": not valid YAML: "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, file + ": cannot read: " + e.getMessage());
        }
        // Pass 2: each document of a known kind bound to its class, from the same text, so a
        // field error names its own line.
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            int i = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                JsonNode tree = trees.get(i);
                int line = lines.get(i);
                i++;
                if (!tree.isObject()) {
                    throw new CliException(ExitCodes.BAD_INPUT, file + ":" + line
                            + ": a document must be a mapping with apiVersion and kind");
                }
                String apiVersion = tree.path("apiVersion").asText("");
                String kind = tree.path("kind").asText("");
                String name = tree.path("metadata").path("name").asText("");
                Class<? extends HasMetadata> cls = classOf(apiVersion, kind);
                if (cls == null) {
                    if (kind.equals("SandboxRun")) {
                        throw new CliException(ExitCodes.BAD_INPUT, file + ":" + line + ": SandboxRun " + name
                                + ": apiVersion must be " + SANDBOXRUN_API + " (is '" + apiVersion + "')");
                    }
                    if (kind.isEmpty() || apiVersion.isEmpty()) {
                        throw new CliException(ExitCodes.BAD_INPUT, file + ":" + line
                                + ": a document needs apiVersion and kind");
                    }
                    skipped.add(file + ":" + line + ": " + kind + " " + name);
                    p.skipChildren();
                    continue;
                }
                if (name.isEmpty()) {
                    throw new CliException(ExitCodes.BAD_INPUT, file + ":" + line + ": " + kind + " without metadata.name");
                }
                HasMetadata r;
                try {
                    r = mapper.readValue(p, cls);
                } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, at(file, e.getLocation()) + ": " + kind + " " + name
                            + ": " + fieldPath(e) + "unknown field" + (e.getKnownPropertyIds() == null ? ""
                            : " (known: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                            .reduce((a, b) -> a + ", " + b).orElse("") + ")"));
                } catch (com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
                    if (e.getTargetType() != null && e.getTargetType().isEnum()) {
                        // A value the CRD's enum refuses: an invalid spec, as the API server would say.
                        throw new CliException(ExitCodes.INVALID_SPEC, at(file, e.getLocation()) + ": " + kind + " "
                                + name + ": " + fieldPath(e) + "'" + e.getValue() + "' is not one of "
                                + enumValues(e.getTargetType()));
                    }
                    throw new CliException(ExitCodes.BAD_INPUT, at(file, e.getLocation()) + ": " + kind + " " + name
                            + ": " + fieldPath(e) + firstLine(e.getOriginalMessage()));
                } catch (JsonMappingException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, at(file, e.getLocation()) + ": " + kind + " " + name
                            + ": " + fieldPath(e) + firstLine(e.getOriginalMessage()));
                } catch (JsonProcessingException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, at(file, e.getLocation()) + ": " + kind + " " + name
                            + ": " + firstLine(e.getOriginalMessage()));
                }
                docs.add(new Document(file, line, r));
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, file + ": cannot read: " + e.getMessage());
        }
    }

    /** The names an enum is written with in YAML (its @JsonProperty names). */
    private static String enumValues(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
            String n = ((Enum<?>) c).name();
            try {
                com.fasterxml.jackson.annotation.JsonProperty jp =
                        type.getField(n).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
                names.add(jp != null && !jp.value().isEmpty() ? jp.value() : n);
            } catch (NoSuchFieldException e) {
                names.add(n);
            }
        }
        return String.join(", ", names);
    }

    /**
     * Two documents of one kind with one namespace and name (kubectl create would refuse the
     * second; apply would silently replace the first): a phrase naming both, or null.
     */
    public String duplicate() {
        java.util.Map<String, Document> seen = new java.util.HashMap<>();
        for (Document d : documents) {
            String id = d.resource().getKind() + "/" + d.namespace() + "/" + d.name();
            Document first = seen.putIfAbsent(id, d);
            if (first != null) {
                return d.where() + ": " + d.resource().getKind() + " " + d.name() + " (namespace " + d.namespace()
                        + ") is also defined at " + first.where() + ": names must be unique";
            }
        }
        return null;
    }

    private static Class<? extends HasMetadata> classOf(String apiVersion, String kind) {
        if (kind.equals("SandboxRun") && apiVersion.equals(SANDBOXRUN_API)) {
            return SandboxRun.class;
        }
        if (apiVersion.equals("v1") && kind.equals("ConfigMap")) {
            return ConfigMap.class;
        }
        if (apiVersion.equals("v1") && kind.equals("Secret")) {
            return Secret.class;
        }
        return null;
    }

    private static String at(Path file, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? file.toString() : file + ":" + loc.getLineNr();
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? "" : b + ": ";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
