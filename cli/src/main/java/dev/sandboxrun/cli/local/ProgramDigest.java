package dev.sandboxrun.cli.local;

import dev.sandboxrun.api.ProgramSource;

/**
 * spec.program.sha256 checked against the program's bytes on this machine, before anything runs, as
 * the launcher checks it in a pod: a program whose bytes differ never starts.
 */
public final class ProgramDigest {
    private ProgramDigest() {
    }

    /** Why these bytes are not the program the spec names, or null (also when the spec names no digest). */
    public static String mismatch(ProgramSource p, String actualSha256) {
        String want = p.getSha256();
        if (want == null || want.equals(actualSha256)) {
            return null;
        }
        return "SHA-256 mismatch: the program's bytes have " + actualSha256 + ", spec.program.sha256 is " + want
                + "; nothing ran";
    }
}
