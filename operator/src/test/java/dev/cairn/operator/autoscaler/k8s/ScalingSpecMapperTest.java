package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.operator.autoscaler.ScalingSpec;
import org.junit.jupiter.api.Test;

class ScalingSpecMapperTest {

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
