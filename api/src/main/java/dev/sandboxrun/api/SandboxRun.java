package dev.sandboxrun.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One run of an untrusted, statically linked program under the launcher, as
 * {@code docs/sandboxrun-api.md} describes it. The CRD in {@code crds/} is generated
 * from this class and its spec and status.
 */
@Group(SandboxRun.GROUP)
@Version(SandboxRun.VERSION)
@ShortNames("sbr")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class SandboxRun extends CustomResource<SandboxRunSpec, SandboxRunStatus> implements Namespaced {
    public static final String GROUP = "sandboxrun.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec is immutable")
    public SandboxRunSpec getSpec() {
        return super.getSpec();
    }
}
