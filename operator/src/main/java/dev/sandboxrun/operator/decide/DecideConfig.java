package dev.sandboxrun.operator.decide;

import dev.sandboxrun.api.EffectiveLimits;
import dev.sandboxrun.operator.access.RunAccess;
import dev.sandboxrun.operator.config.OperatorConfig;

import java.time.Duration;

/** What {@link Decide#decide} needs of the operator's configuration. */
public record DecideConfig(EffectiveLimits.Defaults defaults, EffectiveLimits.Ceilings ceilings,
                           Duration sourceWaitTimeout, Duration startTimeout, RunAccess access) {
    public static DecideConfig from(OperatorConfig c) {
        return new DecideConfig(c.limitDefaults(), c.limitCeilings(), c.sourceWaitTimeout(), c.startTimeout(),
                RunAccess.from(c));
    }
}
