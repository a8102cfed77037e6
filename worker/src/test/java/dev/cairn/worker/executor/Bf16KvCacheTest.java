package dev.cairn.worker.executor;

import static dev.cairn.worker.testing.ModelAccuracy.HELD_OUT;
import static dev.cairn.worker.testing.ModelAccuracy.klDivergence;
import static dev.cairn.worker.testing.ModelAccuracy.lastLogits;
import static dev.cairn.worker.testing.ModelAccuracy.perplexity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.ModelAccuracy;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny model with its KV pool in BF16 ({@code spec.engine.kvCacheDtype: bfloat16}): the CPU
 * kernels compute what the reference backend computes over the same rounded cache, and the rounding
 * costs little: on every reference.json prompt the last position's next-token distribution stays
 * within a KL divergence of 0.001 of the F32 pool's and the 32 greedy tokens, decoded step by step
 * from the cache, are PyTorch's; the held-out passage's perplexity moves by less than 0.5%.
 * Measured values are printed for the README.
 */
class Bf16KvCacheTest {

  static Stream<Integer> cases() {
    return IntStream.range(0, TestModels.reference().get("cases").size()).boxed();
  }

  @ParameterizedTest(name = "case {0}")
  @MethodSource("cases")
  void roundingKeysAndValuesKeepsTheReferenceOutputs(int index) {
    JsonNode c = TestModels.reference().get("cases").get(index);
    Path dir =
        c.get("weights").asText().equals("bf16")
            ? TestModels.tinyBf16()
            : TestModels.tinyShakespeare();
    int[] prompt = TestModels.ints(c.get("prompt_ids"));
    try (TransformerExecutor f32 = executor(dir, new CpuBackend(2, true), DType.F32);
        TransformerExecutor bf16 = executor(dir, new CpuBackend(2, true), DType.BF16);
        TransformerExecutor ref = executor(dir, new ReferenceBackend(), DType.BF16)) {
      assertThat(bf16.kvCacheDtype()).isEqualTo(DType.BF16);
      float[] logits = lastLogits(bf16, prompt);
      float[] expected = lastLogits(ref, prompt);
      for (int v = 0; v < expected.length; v++) {
        assertThat(logits[v]).as("logit %d", v).isCloseTo(expected[v], Offset.offset(1e-4f));
      }
      double kl = klDivergence(lastLogits(f32, prompt), logits);
      System.out.printf("BF16 KV case %d: KL from the F32 pool %.7f%n", index, kl);
      assertThat(kl).isLessThanOrEqualTo(0.001);

      int[] greedy = TestModels.ints(c.get("greedy_ids"));
      int[] table = TestModels.blocks(0, 32);
      assertThat(ModelAccuracy.greedy(bf16, logits, prompt.length, table, greedy.length))
          .isEqualTo(greedy);
    }
  }

  @Test
  void theHeldOutPassageReadsAsWithAnF32Pool() {
    try (TransformerExecutor f32 =
            executor(TestModels.tinyShakespeare(), new CpuBackend(2, true), DType.F32);
        TransformerExecutor bf16 =
            executor(TestModels.tinyShakespeare(), new CpuBackend(2, true), DType.BF16);
        HfTokenizer tokenizer = HfTokenizer.load(TestModels.tinyShakespeare())) {
      int[] passage = tokenizer.encode(HELD_OUT, false);
      double pF32 = perplexity(f32, passage);
      double pBf16 = perplexity(bf16, passage);
      System.out.printf(
          "BF16 KV held-out perplexity %.4f vs F32 pool %.4f (%d tokens): %+.3f%%%n",
          pBf16, pF32, passage.length, 100 * (pBf16 / pF32 - 1));
      assertThat(Math.abs(pBf16 / pF32 - 1)).isLessThan(0.005);
      assertThat(pBf16).isNotEqualTo(pF32); // the pool did round
    }
  }

  private static TransformerExecutor executor(Path dir, Backend backend, DType kv) {
    return HostWeights.load(dir, "auto").executorOn(backend, 32, kv);
  }
}
