package dev.cairn.worker.loading;

import static dev.cairn.worker.testing.ModelAccuracy.HELD_OUT;
import static dev.cairn.worker.testing.ModelAccuracy.klDivergence;
import static dev.cairn.worker.testing.ModelAccuracy.lastLogits;
import static dev.cairn.worker.testing.ModelAccuracy.perplexity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiny model quantized at load time stays close to its F32 self: on every reference.json prompt
 * the KL divergence of the last position's next-token distribution from F32 is at most 0.01 (Q8_0)
 * or 0.1 (Q4_0), and the perplexity of a held-out passage ({@link
 * dev.cairn.worker.testing.ModelAccuracy#HELD_OUT}) is within 2% (Q8_0) or 10% (Q4_0) of F32's.
 * Measured values are printed for the README.
 */
class QuantizedAccuracyTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"q8_0,0.01,0.02", "q4_0,0.1,0.10"})
  void staysCloseToF32(String quantization, double maxKl, double maxPerplexityDrift) {
    try (TransformerExecutor f32 = executor("none");
        TransformerExecutor quant = executor(quantization);
        HfTokenizer tokenizer = HfTokenizer.load(TestModels.tinyShakespeare())) {
      int i = 0;
      for (JsonNode c : TestModels.reference().get("cases")) {
        int[] prompt = TestModels.ints(c.get("prompt_ids"));
        double kl = klDivergence(lastLogits(f32, prompt), lastLogits(quant, prompt));
        System.out.printf("%s case %d: KL from F32 %.5f%n", quantization, i++, kl);
        assertThat(kl).as("KL on %s", c.get("prompt").asText()).isLessThanOrEqualTo(maxKl);
      }
      int[] passage = tokenizer.encode(HELD_OUT, false);
      double pF32 = perplexity(f32, passage);
      double pQuant = perplexity(quant, passage);
      double drift = Math.abs(pQuant / pF32 - 1);
      System.out.printf(
          "%s held-out perplexity %.4f vs F32 %.4f (%d tokens): %+.2f%%%n",
          quantization, pQuant, pF32, passage.length, 100 * (pQuant / pF32 - 1));
      assertThat(drift).isLessThanOrEqualTo(maxPerplexityDrift);
    }
  }

  @org.junit.jupiter.api.Test
  void projectionsAndHeadAreQuantizedTheEmbeddingIsNot() {
    try (HostWeights w = HostWeights.load(TestModels.tinyShakespeare(), "auto", "q4_0")) {
      assertThat(w.quantization()).isEqualTo(DType.Q4_0);
      assertThat(w.tensors().embed().dtype()).isEqualTo(DType.F32);
      assertThat(w.tensors().lmHead().dtype()).isEqualTo(DType.Q4_0);
      assertThat(w.tensors().layers().getFirst().down().dtype()).isEqualTo(DType.Q4_0);
      assertThat(w.tensors().layers().getFirst().inputNorm().dtype()).isEqualTo(DType.F32);
    }
  }

  private static TransformerExecutor executor(String quantization) {
    return HostWeights.load(TestModels.tinyShakespeare(), "auto", quantization)
        .executorOn(new CpuBackend(2, true), 32);
  }
}
