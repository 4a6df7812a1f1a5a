package dev.sandboxrun.operator.config;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.api.Profile;
import dev.sandboxrun.api.Sizes;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The operator's configuration ({@code sandboxrun.*}), set through the Helm chart in production. */
@ConfigMapping(prefix = "sandboxrun")
public interface OperatorConfig {
    Launcher launcher();

    /** What a spec leaves out. */
    LimitValues defaults();

    /** The most a spec may ask for; beyond it the run fails with InvalidSpec. */
    LimitValues ceilings();

    /** Sandbox pods at once, in all namespaces; runs beyond it stay Pending with reason Queued. */
    @WithDefault("50")
    int maxConcurrentPods();

    /** How long a run waits for its program's or stdin's ConfigMap or Secret before ProgramNotFound. */
    @WithDefault("5m")
    Duration sourceWaitTimeout();

    /** How long a container may wait (image pull, config errors) before InfrastructureFailure. */
    @WithDefault("5m")
    Duration startTimeout();

    LeaderElection leaderElection();

    interface LeaderElection {
        /** Elect one leader among the operator's replicas through a Lease. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("sandboxrun-operator-leader")
        String leaseName();

        /** The Lease's namespace; unset: the operator's own namespace (in a pod). */
        Optional<String> leaseNamespace();

        @WithDefault("15s")
        Duration leaseDuration();

        @WithDefault("10s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();
    }

    interface Launcher {
        /** The image with the launcher at {@link #path()}. */
        @WithDefault("ghcr.io/sandboxrun/launcher:0.1.0")
        String image();

        @WithDefault("/sandbox-launch")
        String path();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** Memory the launcher itself needs beside the program's limit (added to the pod's memory). */
        @WithDefault("16Mi")
        String memoryOverhead();

        @WithDefault("64Mi")
        String ephemeralStorage();

        /** activeDeadlineSeconds = wall limit + this: a backstop, the launcher's own limit acts first. */
        @WithDefault("30s")
        Duration deadlineGrace();

        /**
         * The RuntimeClass of sandbox pods whose spec names none (gVisor or Kata as a layer under the
         * launcher's own); unset: the cluster's default runtime.
         */
        Optional<String> runtimeClassName();
    }

    interface LimitValues {
        Optional<Profile> profile();

        Optional<String> cpu();

        Optional<String> wallClock();

        Optional<String> memory();

        Optional<String> stdout();

        Optional<String> cores();
    }

    /** The defaults in the launcher's units; unset values take the contract's. */
    default EffectiveLimits.Defaults limitDefaults() {
        EffectiveLimits.Defaults c = EffectiveLimits.Defaults.CONTRACT;
        LimitValues d = defaults();
        return new EffectiveLimits.Defaults(
                d.profile().orElse(c.profile()),
                d.cpu().map(Sizes::millis).orElse(c.cpuMs()),
                d.wallClock().map(Sizes::millis).orElse(c.wallMs()),
                d.memory().map(Sizes::bytes).orElse(c.memoryBytes()),
                d.stdout().map(Sizes::bytes).orElse(c.stdoutMaxBytes()),
                d.cores().map(Sizes::millicores).orElse(c.coresMillis()));
    }

    default EffectiveLimits.Ceilings limitCeilings() {
        EffectiveLimits.Ceilings n = EffectiveLimits.Ceilings.NONE;
        LimitValues c = ceilings();
        return new EffectiveLimits.Ceilings(
                c.cpu().map(Sizes::millis).orElse(n.cpuMs()),
                c.wallClock().map(Sizes::millis).orElse(n.wallMs()),
                c.memory().map(Sizes::bytes).orElse(n.memoryBytes()),
                c.stdout().map(Sizes::bytes).orElse(n.stdoutMaxBytes()),
                c.cores().map(Sizes::millicores).orElse(n.coresMillis()));
    }

    // access
    /**
     * What a run may reach beyond its own spec (access/RunAccess): Secrets as program or stdin,
     * and placement. Unset lists allow nothing beyond the defaults.
     */
    Access access();

    interface Access {
        /**
         * Secrets runs may read without the Secret's own label {@code sandboxrun.dev/allow-runs=true}:
         * {@code namespace/name}, or {@code namespace/*} for every Secret of a namespace.
         */
        Optional<java.util.List<String>> secrets();

        /** Tolerations runs may ask for, each {@code key[=value][:Effect]}; unset: none. */
        Optional<java.util.List<String>> tolerations();

        /** RuntimeClasses runs may name besides {@code launcher.runtime-class-name}; unset: none. */
        Optional<java.util.List<String>> runtimeClassNames();

        /** PriorityClasses runs may name; unset: none. */
        Optional<java.util.List<String>> priorityClassNames();
    }
}
