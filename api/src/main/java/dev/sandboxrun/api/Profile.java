package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The launcher's syscall policies ({@code --profile}). */
public enum Profile {
    @JsonProperty("strict") STRICT("strict"),
    @JsonProperty("compute") COMPUTE("compute"),
    @JsonProperty("threads") THREADS("threads");

    private final String flag;

    Profile(String flag) {
        this.flag = flag;
    }

    /** The name the launcher's {@code --profile} option takes. */
    public String flag() {
        return flag;
    }
}
