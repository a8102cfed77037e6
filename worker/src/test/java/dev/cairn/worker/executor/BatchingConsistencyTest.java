package dev.cairn.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.TestModels;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paged cache and batching change nothing numerically beyond summation order: incremental
 * decoding equals recomputing from scratch, chunked prefill equals one-shot prefill, and a mixed
 * batch equals each sequence run alone. Tolerance 1e-4 absolute on logits of magnitude ~10.
 */
class BatchingConsistencyTest {

  private static final float TOL = 1e-4f;
  private static TransformerExecutor ex;

  @BeforeAll
  static void load() {
    ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CpuBackend(2, true), 64);
  }

  @AfterAll
  static void close() {
    ex.close();
  }

  private static int[] tokens(int n, int seed) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = (i * 37 + seed * 101 + 11) % ex.vocabSize();
    }
    return t;
  }

  private static float[] oneShot(int[] tokens, int[] table) {
    return ex.execute(List.of(new SequenceChunk(tokens, 0, table, true)))[0];
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i])
          .as("logit %d", i)
          .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOL));
    }
  }

  @Test
  void incrementalDecodingEqualsFullRecomputation() {
    int[] seq = tokens(40, 1);
    int[] table = TestModels.blocks(0, 3);
    ex.execute(List.of(new SequenceChunk(Arrays.copyOf(seq, 20), 0, table, false)));
    for (int p = 20; p < seq.length; p++) {
      float[] cached =
          ex.execute(List.of(new SequenceChunk(new int[] {seq[p]}, p, table, true)))[0];
      float[] full = oneShot(Arrays.copyOf(seq, p + 1), TestModels.blocks(10, 3));
      assertClose(cached, full);
    }
  }

  @Test
  void chunkedPrefillEqualsOneShotPrefill() {
    int[] seq = tokens(45, 2);
    int[] table = TestModels.blocks(20, 3);
    ex.execute(List.of(new SequenceChunk(Arrays.copyOfRange(seq, 0, 16), 0, table, false)));
    ex.execute(List.of(new SequenceChunk(Arrays.copyOfRange(seq, 16, 23), 16, table, false)));
    float[] chunked =
        ex.execute(List.of(new SequenceChunk(Arrays.copyOfRange(seq, 23, 45), 23, table, true)))[0];
    assertClose(chunked, oneShot(seq, TestModels.blocks(30, 3)));
  }

  @Test
  void mixedBatchEqualsEachSequenceAlone() {
    int[] a = tokens(30, 3); // decoding: 29 cached, 1 new
    int[] b = tokens(12, 4); // prefill in one chunk
    int[] c = tokens(26, 5); // second prefill chunk: 10 cached, 16 new
    int[] ta = {40, 41};
    int[] tb = {45};
    int[] tc = {50, 42};
    ex.execute(
        List.of(
            new SequenceChunk(Arrays.copyOf(a, 29), 0, ta, false),
            new SequenceChunk(Arrays.copyOf(c, 10), 0, tc, false)));
    float[][] batch =
        ex.execute(
            List.of(
                new SequenceChunk(new int[] {a[29]}, 29, ta, true),
                new SequenceChunk(b, 0, tb, true),
                new SequenceChunk(Arrays.copyOfRange(c, 10, 26), 10, tc, true)));
    assertThat(batch).hasNumberOfRows(3);
    assertClose(batch[0], oneShot(a, TestModels.blocks(0, 2)));
    assertClose(batch[1], oneShot(b, TestModels.blocks(0, 1)));
    assertClose(batch[2], oneShot(c, TestModels.blocks(0, 2)));
  }

  @Test
  void onlyChunksThatAskForLogitsGetThem() {
    float[][] out =
        ex.execute(
            List.of(
                new SequenceChunk(tokens(5, 6), 0, new int[] {60}, false),
                new SequenceChunk(tokens(3, 7), 0, new int[] {61}, true)));
    assertThat(out).hasNumberOfRows(1);
    assertClose(out[0], oneShot(tokens(3, 7), new int[] {62}));
  }

  @Test
  void rejectsChunksOutsideThePoolOrModel() {
    assertThatThrownBy(
            () -> ex.execute(List.of(new SequenceChunk(new int[] {1}, 16, new int[] {0}, true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 2 KV blocks");
    assertThatThrownBy(
            () -> ex.execute(List.of(new SequenceChunk(new int[] {1}, 0, new int[] {64}, true))))
        .hasMessageContaining("outside the pool [0, 64)");
    assertThatThrownBy(
            () -> ex.execute(List.of(new SequenceChunk(new int[] {512}, 0, new int[] {0}, true))))
        .hasMessageContaining("outside the vocabulary");
    assertThatThrownBy(
            () -> ex.execute(List.of(new SequenceChunk(new int[] {1}, 512, new int[33], true))))
        .hasMessageContaining("maximum length 512");
  }

  @Test
  void kvBytesPerBlockFollowsTheConfig() {
    // 4 layers x (K + V) x 16 tokens x (2 kv heads x 32 dims) x 4 bytes
    assertThat(PagedKvCache.bytesPerBlock(ex.config(), DType.F32)).isEqualTo(4L * 2 * 16 * 64 * 4);
    assertThat(PagedKvCache.blocksForBudget(ex.config(), DType.F32, 1 << 20))
        .isEqualTo((1 << 20) / 32768);
    // BF16: two bytes an element, twice the blocks
    assertThat(PagedKvCache.bytesPerBlock(ex.config(), DType.BF16)).isEqualTo(4L * 2 * 16 * 64 * 2);
    assertThat(PagedKvCache.blocksForBudget(ex.config(), DType.BF16, 1 << 20))
        .isEqualTo((1 << 20) / 16384);
    assertThat(ex.blockSize()).isEqualTo(16);
    assertThat(ex.numKvBlocks()).isEqualTo(64);
    assertThat(ex.maxModelLen()).isEqualTo(512);
    assertThat(ex.vocabSize()).isEqualTo(512);
  }
}
