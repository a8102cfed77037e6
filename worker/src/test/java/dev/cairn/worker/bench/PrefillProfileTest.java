package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The prefill profile on the tiny model: every operation a prefill makes, timed, within the whole.
 */
class PrefillProfileTest {

  @Test
  void timesEveryOperationOfAPrefillWithinTheWhole() {
    Map<String, Double> ms =
        PrefillProfile.profile(TestModels.tinyShakespeare(), "none", 40, 2, 1, 2);
    assertThat(ms)
        .containsKeys("prefill", "embed", "rmsNorm", "attention", "writeKv", "swiglu", "rope")
        // q/k/v and gate/up fused (q first), o and down alone
        .containsKeys("matmuls 3 × [128, 128]", "matmuls 2 × [352, 128]", "matmul [128, 352]");
    double parts =
        ms.entrySet().stream()
            .filter(e -> !e.getKey().equals("prefill"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    assertThat(parts).isPositive().isLessThanOrEqualTo(ms.get("prefill"));
  }
}
