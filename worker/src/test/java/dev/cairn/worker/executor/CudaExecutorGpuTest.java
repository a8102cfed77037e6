package dev.cairn.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cuda.CudaBackend;
import dev.cairn.worker.backend.cuda.CudaProbe;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.loading.CudaPlacement;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.ModelAccuracy;
import dev.cairn.worker.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny model through {@link TransformerExecutor} on the CUDA backend: reference.json's logits
 * and greedy tokens (F32 weights: logits within 1e-2, all 32 tokens; BF16 weights, stored or
 * narrowed on upload: within 5e-2, the first 16 tokens), batching equal to one-at-a-time, and no
 * device memory growing over many steps or left after close.
 */
@Tag("gpu")
class CudaExecutorGpuTest {

  @BeforeEach
  void requireGpu() {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
  }

  private static int gpu() {
    return CudaProbe.probe().devices().getFirst().ordinal();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    int i = 0;
    for (JsonNode c : TestModels.reference().get("cases")) {
      boolean bf16 = c.get("weights").asText().equals("bf16");
      out.add(Arguments.of(bf16 ? "bf16 weights" : "f32 weights", c, i, false));
      if (bf16) {
        out.add(Arguments.of("f32 weights narrowed to bf16", c, i, true));
      }
      i++;
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, case {2}")
  @MethodSource("cases")
  void reproducesReference(String name, JsonNode c, int index, boolean narrow) {
    boolean bf16 = c.get("weights").asText().equals("bf16");
    Path dir = bf16 && !narrow ? TestModels.tinyBf16() : TestModels.tinyShakespeare();
    int[] prompt = TestModels.ints(c.get("prompt_ids"));
    int[] greedy = TestModels.ints(c.get("greedy_ids"));
    float[] expected = TestModels.floats(c.get("last_logits"));
    float tol = bf16 ? 5e-2f : 1e-2f;
    int exactTokens = bf16 ? 16 : greedy.length;
    try (TransformerExecutor ex =
        HostWeights.load(dir, "auto").executorOn(new CudaBackend(gpu(), narrow), 8)) {
      int[] table = TestModels.blocks(3, 5);
      float[] logits = ex.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
      for (int v = 0; v < expected.length; v++) {
        assertThat(logits[v]).as("logit %d", v).isCloseTo(expected[v], Offset.offset(tol));
      }
      assertThat(ModelAccuracy.greedy(ex, logits, prompt.length, table, exactTokens))
          .isEqualTo(Arrays.copyOf(greedy, exactTokens));
    }
  }

  /**
   * A BF16 KV pool ({@code kvCacheDtype: bfloat16}: kv_write_bf16 and paged_attention_bf16) on F32
   * weights: the prompt's logits within 1e-2 of the CPU backend's over its own BF16 pool, and the
   * 32 greedy tokens decoded from the rounded cache are the reference's.
   */
  @ParameterizedTest(name = "f32 weights, case {2}")
  @MethodSource("cases")
  void aBf16PoolDecodesAsTheCpusBf16PoolDoes(String name, JsonNode c, int index, boolean narrow) {
    assumeTrue(c.get("weights").asText().equals("f32") && !narrow, "the F32 checkpoint's cases");
    int[] prompt = TestModels.ints(c.get("prompt_ids"));
    int[] greedy = TestModels.ints(c.get("greedy_ids"));
    int[] table = TestModels.blocks(3, 5);
    float[] expected;
    try (TransformerExecutor cpu =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new dev.cairn.worker.backend.cpu.CpuBackend(2, true), 8, DType.BF16)) {
      expected = cpu.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
    }
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CudaBackend(gpu(), false), 8, DType.BF16)) {
      assertThat(ex.kvCacheDtype()).isEqualTo(DType.BF16);
      float[] logits = ex.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
      for (int v = 0; v < expected.length; v++) {
        assertThat(logits[v]).as("logit %d", v).isCloseTo(expected[v], Offset.offset(1e-2f));
      }
      assertThat(ModelAccuracy.greedy(ex, logits, prompt.length, table, greedy.length))
          .isEqualTo(greedy);
    }
  }

  @Test
  void aMixedBatchEqualsEachSequenceAlone() {
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CudaBackend(gpu(), false), 64)) {
      int[] a = tokens(30, 3, ex.vocabSize());
      int[] b = tokens(12, 4, ex.vocabSize());
      int[] c = tokens(26, 5, ex.vocabSize());
      int[] ta = {40, 41};
      int[] tc = {50, 42};
      ex.execute(
          List.of(
              new SequenceChunk(Arrays.copyOf(a, 29), 0, ta, false),
              new SequenceChunk(Arrays.copyOf(c, 10), 0, tc, false)));
      float[][] batch =
          ex.execute(
              List.of(
                  new SequenceChunk(new int[] {a[29]}, 29, ta, true),
                  new SequenceChunk(b, 0, new int[] {45}, true),
                  new SequenceChunk(Arrays.copyOfRange(c, 10, 26), 10, tc, true)));
      assertClose(batch[0], alone(ex, a));
      assertClose(batch[1], alone(ex, b));
      assertClose(batch[2], alone(ex, c));
    }
  }

  /**
   * The layer split's bookkeeping (weights placed by share, activations following the operations,
   * peer copies at the boundary) on any machine: the same GPU opened twice acts as two devices. On
   * a machine with two GPUs, the real split runs too.
   */
  @Test
  void layersSplitAcrossTwoDevicesGiveTheSameLogitsAsOne() {
    List<Integer> one = List.of(gpu());
    List<Integer> split =
        CudaProbe.probe().devices().size() > 1
            ? List.of(
                CudaProbe.probe().devices().get(0).ordinal(),
                CudaProbe.probe().devices().get(1).ordinal())
            : List.of(gpu(), gpu());
    int[] prompt = tokens(40, 8, 512);
    float[] single;
    try (TransformerExecutor ex = placedInF32On(one)) {
      single = ex.execute(List.of(new SequenceChunk(prompt, 0, TestModels.blocks(0, 3), true)))[0];
    }
    try (TransformerExecutor ex = placedInF32On(split)) {
      float[] logits =
          ex.execute(List.of(new SequenceChunk(prompt, 0, TestModels.blocks(0, 3), true)))[0];
      assertClose(logits, single);
      float[] step =
          ex.execute(
                  List.of(
                      new SequenceChunk(
                          new int[] {TestModels.argmax(logits)},
                          40,
                          TestModels.blocks(0, 3),
                          true)))[0];
      assertThat(step).hasSize(512);
    }
  }

  /** The tiny model converted to F32 on {@code gpus}, with a 4 MiB KV pool, as the worker does. */
  private static TransformerExecutor placedInF32On(List<Integer> gpus) {
    HostWeights weights = HostWeights.load(TestModels.tinyShakespeare(), "float32");
    return new CudaPlacement(gpus, CudaPlacement.DEFAULT_MEMORY_FRACTION)
        .place(weights, 4L << 20, weights.config().maxModelLen(), DType.F32);
  }

  @Test
  void deviceMemoryStaysFlatOverManyStepsAndIsFreedOnClose() {
    CudaBackend backend = new CudaBackend(gpu(), false);
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto").executorOn(backend, 16)) {
      int[] table = TestModels.blocks(0, 16);
      int[] prompt = tokens(20, 9, ex.vocabSize());
      float[] logits = ex.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
      logits =
          ex.execute(
                  List.of(
                      new SequenceChunk(new int[] {TestModels.argmax(logits)}, 20, table, true)))[
              0];
      long afterWarmUp = backend.liveBytes();
      for (int pos = 21; pos < 220; pos++) {
        logits =
            ex.execute(
                    List.of(
                        new SequenceChunk(
                            new int[] {TestModels.argmax(logits)}, pos, table, true)))[0];
      }
      assertThat(backend.liveBytes()).isEqualTo(afterWarmUp);
    }
    assertThat(backend.liveBytes()).isZero();
  }

  private static float[] alone(TransformerExecutor ex, int[] seq) {
    return ex.execute(List.of(new SequenceChunk(seq, 0, TestModels.blocks(0, 2), true)))[0];
  }

  private static int[] tokens(int n, int seed, int vocab) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = (i * 37 + seed * 101 + 11) % vocab;
    }
    return t;
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], Offset.offset(1e-3f));
    }
  }
}
