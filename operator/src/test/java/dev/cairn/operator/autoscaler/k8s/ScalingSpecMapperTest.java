package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.operator.autoscaler.ScalingSpec;
import dev.cairn.operator.autoscaler.Signal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalingSpecMapperTest {

  @Test
  void mapsTheSignalTargetsAndRefusesEngineSignalsWithEngineMetricsOff() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setTargetWaitingRequests(4.0);
    a.setTargetKvCacheUsage(0.8);
    a.setTargetTokensPerSecond(100.0);
    assertThat(ScalingSpecMapper.from(a, true).signalTargets())
        .isEqualTo(
            Map.of(
                Signal.WAITING_REQUESTS, 4.0,
                Signal.KV_CACHE_USAGE, 0.8,
                Signal.TOKENS_PER_SECOND, 100.0));
    assertThatThrownBy(() -> ScalingSpecMapper.from(a, false))
        .hasMessage(AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS);
    // Tokens/s reads the always-on service counter, so it stays allowed.
    a.setTargetWaitingRequests(null);
    a.setTargetKvCacheUsage(null);
    assertThat(ScalingSpecMapper.from(a, false).signalTargets())
        .containsOnlyKeys(Signal.TOKENS_PER_SECOND);
  }

  @Test
  void mapsEveryField() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(1);
    a.setMaxReplicas(4);
    a.setInitialReplicas(2);
    a.setTargetOngoingRequests(3.5);
    a.setUpscaleDelaySeconds(2);
    a.setDownscaleDelaySeconds(4);
    a.setUpscalingFactor(0.5);
    a.setDownscalingFactor(0.25);
    a.setLookBackPeriodSeconds(7);
    a.setMetricsIntervalSeconds(1);

    assertThat(ScalingSpecMapper.from(a))
        .isEqualTo(new ScalingSpec(1, 4, 2, 3.5, 2, 4, 0.5, 0.25, 7, 1));
  }

  @Test
  void unsetFieldsTakeRayDefaults() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(2);
    a.setTargetOngoingRequests(null);
    a.setUpscaleDelaySeconds(null);
    a.setMetricsIntervalSeconds(null);

    ScalingSpec s = ScalingSpecMapper.from(a);

    assertThat(s).isEqualTo(ScalingSpec.defaults(2, 2));
  }

  @Test
  void rejectsBoundsTheCelRulesWouldHaveCaughtNamingTheField() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(3);
    a.setMaxReplicas(2);

    assertThatThrownBy(() -> ScalingSpecMapper.from(a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoscaling.");
  }
}
