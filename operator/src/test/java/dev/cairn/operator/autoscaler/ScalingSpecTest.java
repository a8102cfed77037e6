package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input is rejected with a message naming the field. */
class ScalingSpecTest {

  @Test
  void namesTheOffendingField() {
    assertThatThrownBy(() -> new ScalingSpec(-1, 2, 1, 2.0, 30, 600, 1.0, 1.0, 30, 10, Map.of()))
        .hasMessage("autoscaling.minReplicas must be >= 0, got -1");
    assertThatThrownBy(() -> new ScalingSpec(3, 2, 3, 2.0, 30, 600, 1.0, 1.0, 30, 10, Map.of()))
        .hasMessage("autoscaling.maxReplicas must be >= minReplicas, got 2");
    assertThatThrownBy(() -> new ScalingSpec(1, 2, 5, 2.0, 30, 600, 1.0, 1.0, 30, 10, Map.of()))
        .hasMessageStartingWith("autoscaling.initialReplicas");
    assertThatThrownBy(() -> new ScalingSpec(1, 2, 1, 0.0, 30, 600, 1.0, 1.0, 30, 10, Map.of()))
        .hasMessageStartingWith("autoscaling.targetOngoingRequests");
    assertThatThrownBy(
            () -> new ScalingSpec(1, 2, 1, 2.0, 30, 600, Double.NaN, 1.0, 30, 10, Map.of()))
        .hasMessageStartingWith("autoscaling.upscalingFactor");
    assertThatThrownBy(() -> new ScalingSpec(1, 2, 1, 2.0, 30, -1, 1.0, 1.0, 30, 10, Map.of()))
        .hasMessageStartingWith("autoscaling.downscaleDelaySeconds");
    assertThatThrownBy(() -> new ScalingSpec(1, 2, 1, 2.0, 30, 600, 1.0, 1.0, 30, 0, Map.of()))
        .hasMessageStartingWith("autoscaling.metricsIntervalSeconds");
  }

  @Test
  void samplesRejectValuesThatWouldCorruptAnAverage() {
    assertThatThrownBy(() -> new MetricSample("p", java.time.Instant.EPOCH, -1))
        .hasMessageContaining("pod p");
    assertThatThrownBy(() -> new MetricSample("p", java.time.Instant.EPOCH, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
