package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.model.ModelConfig;
import org.junit.jupiter.api.Test;

class ComputeBenchTest {

  // Qwen2.5-0.5B's shape, as BenchModelGenerator writes it.
  private static final ModelConfig SHAPE =
      new ModelConfig(
          "Qwen2ForCausalLM",
          896,
          4864,
          24,
          14,
          2,
          64,
          151_936,
          1e-6,
          1e6,
          null,
          32_768,
          true,
          true,
          "bfloat16",
          0);

  @Test
  void aPrefillComputesTheHeadOnceAndEveryLayerForEveryToken() {
    long layers = 24L * (896L * (896 + 2 * 128) + 896L * 896 + 3L * 896 * 4864);
    long head = 151_936L * 896;
    assertThat(ComputeBench.layerFmasPerToken(SHAPE)).isEqualTo(layers);
    // one token: its layers, one score and one value row of attention per head, the head
    assertThat(ComputeBench.prefillFmas(SHAPE, 1)).isEqualTo(layers + 2.0 * 24 * 14 * 64 + head);
    // the 128th token adds its layers and attention over 128 positions, not another head
    assertThat(ComputeBench.prefillFmas(SHAPE, 128) - ComputeBench.prefillFmas(SHAPE, 127))
        .isEqualTo(layers + 2.0 * 24 * 14 * 64 * 128);
  }

  @Test
  void aPrefillFigureIsTheMedianOfItsRunsSoOneStallDoesNotSetIt() {
    assertThat(ComputeBench.median(new double[] {430, 120, 455, 441, 447})).isEqualTo(441);
    assertThat(ComputeBench.median(new double[] {400, 100})).isEqualTo(250);
    double[] runs = {3, 1, 2};
    ComputeBench.median(runs);
    assertThat(runs).containsExactly(3, 1, 2); // the runs stay in the order they ran, for the JSON
  }
}
