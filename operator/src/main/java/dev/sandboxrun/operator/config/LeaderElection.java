package dev.sandboxrun.operator.config;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;

import java.util.function.Consumer;

/**
 * Leader election through a Lease ({@code sandboxrun.leader-election.*}): with several replicas,
 * one reconciles and the others wait to take over. Off by default (one replica).
 */
@Singleton
public class LeaderElection implements ConfigurationServiceCustomizer {
    private final OperatorConfig config;

    public LeaderElection(OperatorConfig config) {
        this.config = config;
    }

    @Override
    public Consumer<ConfigurationServiceOverrider> overrider() {
        OperatorConfig.LeaderElection le = config.leaderElection();
        if (!le.enabled()) {
            return o -> { };
        }
        return o -> o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(le.leaseName(),
                le.leaseNamespace().orElse(null), le.leaseDuration(), le.renewDeadline(), le.retryPeriod()));
    }
}
