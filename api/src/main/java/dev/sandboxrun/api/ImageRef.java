package dev.sandboxrun.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A program inside an OCI image, mounted as an image volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageRef {
    @Required
    @Size(min = 1, max = 1024)
    private String reference;

    /** The program's absolute path inside the image. */
    @Required
    @Size(min = 2, max = 1024)
    @Pattern("^/[^\\x00]*[^/]$")
    private String path;

    public ImageRef() {
    }

    public ImageRef(String reference, String path) {
        this.reference = reference;
        this.path = path;
    }

    public String getReference() { return reference; }
    public void setReference(String reference) { this.reference = reference; }
    public String getPath() { return path; }
    public void setPath(String path) { this.path = path; }
}
