package dev.sandboxrun.cli.cluster;

import dev.sandboxrun.api.SandboxRun;
import dev.sandboxrun.api.StdoutLayout;
import dev.sandboxrun.api.StdoutStatus;
import dev.sandboxrun.cli.CliException;
import dev.sandboxrun.cli.ExitCodes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A finished run's stdout, reassembled from the ConfigMaps the operator keeps it in (its
 * {@code output.StdoutStore}): {@code <run>-stdout-<i>}, binaryData key {@value #KEY}, each with
 * annotation {@value #ANNOTATION_OFFSET} giving its first byte's offset.
 */
public final class StdoutChunks {
    public static final String KEY = StdoutLayout.KEY;
    public static final String ANNOTATION_OFFSET = StdoutLayout.ANNOTATION_OFFSET;

    private StdoutChunks() {
    }

    public static String configMapName(String run, int index) {
        return StdoutLayout.configMapName(run, index);
    }

    /** The bytes, checked against status.stdout (length and SHA-256); a CliException when they are not right. */
    public static byte[] read(KubernetesClient client, SandboxRun run) {
        String ns = run.getMetadata().getNamespace();
        String name = run.getMetadata().getName();
        StdoutStatus st = run.getStatus() == null ? null : run.getStatus().getStdout();
        if (st == null || st.getBytes() == null || st.getSha256() == null) {
            throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "sandboxrun " + name
                    + " has no stdout in its status (verdict " + run.getStatus().getVerdict() + ")");
        }
        List<String> names = st.getConfigMaps() == null || st.getConfigMaps().isEmpty()
                ? guess(st.getBytes(), name) : st.getConfigMaps();
        ByteArrayOutputStream all = new ByteArrayOutputStream((int) Math.min(st.getBytes(), 64L << 20));
        for (String cmName : names) {
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(cmName).get();
            if (cm == null) {
                throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "stdout of " + name + ": ConfigMap " + cmName
                        + " is missing");
            }
            Map<String, String> bin = cm.getBinaryData();
            String b64 = bin == null ? null : bin.get(KEY);
            if (b64 == null) {
                throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "stdout of " + name + ": ConfigMap " + cmName
                        + " has no binaryData key " + KEY);
            }
            Map<String, String> ann = cm.getMetadata().getAnnotations();
            String off = ann == null ? null : ann.get(ANNOTATION_OFFSET);
            if (off != null && !off.equals(String.valueOf(all.size()))) {
                throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "stdout of " + name + ": ConfigMap " + cmName
                        + " starts at byte " + off + ", expected " + all.size());
            }
            all.writeBytes(Base64.getMimeDecoder().decode(b64));
        }
        byte[] bytes = all.toByteArray();
        if (bytes.length != st.getBytes()) {
            throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "stdout of " + name + ": the ConfigMaps hold "
                    + bytes.length + " bytes, the launcher passed on " + st.getBytes()
                    + (Boolean.FALSE.equals(st.getComplete()) ? " (the operator could not collect it all: "
                    + run.getStatus().getMessage() + ")" : ""));
        }
        String sha = sha256(bytes);
        if (!sha.equals(st.getSha256())) {
            throw new CliException(ExitCodes.STDOUT_NOT_VERIFIED, "stdout of " + name
                    + ": SHA-256 mismatch: the ConfigMaps hold " + sha + ", the launcher's is " + st.getSha256());
        }
        return bytes;
    }

    /** Names when the status lists none: every chunk of at most 700 KiB (the operator's chunk size). */
    private static List<String> guess(long bytes, String run) {
        List<String> names = new ArrayList<>();
        long chunk = 700L * 1024;
        for (int i = 0; i * chunk < bytes; i++) {
            names.add(configMapName(run, i));
        }
        return names;
    }

    public static String sha256(byte[] bytes) {
        return StdoutLayout.sha256(bytes);
    }
}
