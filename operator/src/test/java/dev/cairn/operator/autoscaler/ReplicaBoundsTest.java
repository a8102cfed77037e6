package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicaBoundsTest {
  private final ReplicaBounds bounds = new ReplicaBounds(2, 4);

  @Test
  void clampsIntoTheBoundsAndLeavesCountsWithinThemAlone() {
    assertThat(bounds.clamp(1)).isEqualTo(2);
    assertThat(bounds.clamp(3)).isEqualTo(3);
    assertThat(bounds.clamp(9)).isEqualTo(4);
  }

  @Test
  void namesTheBoundACountBreaks() {
    assertThat(bounds.breach(1)).isEqualTo("below minReplicas 2");
    assertThat(bounds.breach(5)).isEqualTo("above maxReplicas 4");
    assertThat(bounds.breach(2)).isNull();
    assertThat(bounds.breach(4)).isNull();
  }
}
