package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiny model quantized at load time stays close to its F32 self: on every reference.json prompt
 * the KL divergence of the last position's next-token distribution from F32 is at most 0.01 (Q8_0)
 * or 0.1 (Q4_0), and the perplexity of a held-out passage is within 2% (Q8_0) or 10% (Q4_0) of
 * F32's. The passage is Macbeth V.5 ("To-morrow, and to-morrow..."), a play the tiny model's
 * training text (tiny-shakespeare) does not contain and no reference prompt quotes. Measured values
 * are printed for the README.
 */
class QuantizedAccuracyTest {

  static final String HELD_OUT =
      """
      MACBETH:
      She should have died hereafter;
      There would have been a time for such a word.
      To-morrow, and to-morrow, and to-morrow,
      Creeps in this petty pace from day to day
      To the last syllable of recorded time,
      And all our yesterdays have lighted fools
      The way to dusty death. Out, out, brief candle!
      Life's but a walking shadow, a poor player
      That struts and frets his hour upon the stage
      And then is heard no more: it is a tale
      Told by an idiot, full of sound and fury,
      Signifying nothing.
      """;

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

  private static float[] lastLogits(TransformerExecutor ex, int[] prompt) {
    return ex.execute(List.of(new SequenceChunk(prompt, 0, TestModels.blocks(0, 32), true)))[0];
  }

  /** exp of the mean negative log-likelihood of each token given those before it. */
  private static double perplexity(TransformerExecutor ex, int[] tokens) {
    int[] table = TestModels.blocks(0, 32);
    double nll = 0;
    for (int p = 0; p + 1 < tokens.length; p++) {
      SequenceChunk step = new SequenceChunk(new int[] {tokens[p]}, p, table, true);
      double[] logProbs = logSoftmax(ex.execute(List.of(step))[0]);
      nll -= logProbs[tokens[p + 1]];
    }
    return Math.exp(nll / (tokens.length - 1));
  }

  /** KL(P ‖ Q) with P from {@code reference}'s logits and Q from {@code other}'s. */
  static double klDivergence(float[] reference, float[] other) {
    double[] p = logSoftmax(reference);
    double[] q = logSoftmax(other);
    double kl = 0;
    for (int i = 0; i < p.length; i++) {
      kl += Math.exp(p[i]) * (p[i] - q[i]);
    }
    return kl;
  }

  private static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - log;
    }
    return out;
  }
}
