package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import dev.cairn.worker.model.LayerWeights;
import dev.cairn.worker.model.ModelWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every CPU kernel against the scalar reference on random inputs, with the vector path (2 threads)
 * and the scalar fallback (1 thread). Sizes are not multiples of the vector length, to exercise
 * tails. Tolerance: relative 1e-4 of the magnitude scale for F32 and BF16 weights alike (both widen
 * to F32 exactly; only the summation order differs); 2e-4 for softmax-weighted attention.
 */
class CpuBackendTest {

  /** The element types; the block types have their own test (QuantMatmulTest). */
  private static final DType[] PLAIN_TYPES = {DType.F32, DType.F16, DType.BF16};

  private final Arena arena = Arena.ofShared(); // compute threads read these tensors
  private final Random random = new Random(42);
  private final ReferenceBackend ref = new ReferenceBackend();

  @AfterEach
  void close() {
    ref.close();
    arena.close();
  }

  private HostTensor randomF32(int... shape) {
    HostTensor t = HostTensor.allocateF32(arena, shape);
    for (long i = 0; i < t.numel(); i++) {
      t.setFloat(i, (float) random.nextGaussian());
    }
    return t;
  }

  private HostTensor randomWeight(DType dtype, int... shape) {
    HostTensor f = randomF32(shape);
    if (dtype == DType.F32) {
      return f;
    }
    MemorySegment seg = arena.allocate(f.numel() * 2);
    for (long i = 0; i < f.numel(); i++) {
      short bits =
          dtype == DType.BF16
              ? DType.floatToBf16(f.getFloat(i))
              : Float.floatToFloat16(f.getFloat(i));
      seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, bits);
    }
    return new HostTensor(dtype, shape, seg);
  }

  private static CpuBackend cpu(boolean vector) {
    return vector ? new CpuBackend(2, true) : new CpuBackend(1, false);
  }

  private static void assertClose(
      Backend a, DeviceTensor x, Backend b, DeviceTensor y, int n, double tol) {
    float[] ex = a.read(x, 0, n);
    float[] ac = b.read(y, 0, n);
    for (int i = 0; i < n; i++) {
      assertThat((double) ac[i])
          .as("element %d", i)
          .isCloseTo(ex[i], org.assertj.core.data.Offset.offset(tol * (1 + Math.abs(ex[i]))));
    }
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void matmulMatchesReferenceForEveryDtypeAndTokenCount(boolean vector) {
    try (CpuBackend cpu = cpu(vector)) {
      for (DType dt : PLAIN_TYPES) {
        for (int tokens : new int[] {1, 3, 4, 9}) {
          HostTensor w = randomWeight(dt, 37, 203);
          HostTensor bias = randomF32(37);
          HostTensor x = randomF32(tokens, 203);
          HostTensor expected = HostTensor.allocateF32(arena, tokens, 37);
          DeviceTensor actual = cpu.allocate(tokens, 37);
          ref.matmul(x, w, bias, tokens, expected);
          cpu.matmul(x, cpu.upload(w), cpu.upload(bias), tokens, actual);
          assertClose(ref, expected, cpu, actual, tokens * 37, 1e-4 * Math.sqrt(203));
        }
      }
    }
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void largeMatmulSplitsAcrossThreadsCorrectly(boolean vector) {
    try (CpuBackend cpu = cpu(vector)) {
      HostTensor w = randomWeight(DType.BF16, 300, 256);
      HostTensor x = randomF32(6, 256);
      HostTensor expected = HostTensor.allocateF32(arena, 6, 300);
      DeviceTensor actual = cpu.allocate(6, 300);
      ref.matmul(x, w, null, 6, expected);
      cpu.matmul(x, cpu.upload(w), null, 6, actual);
      assertClose(ref, expected, cpu, actual, 6 * 300, 1e-4 * 16);
    }
  }

  /**
   * Through the executor's upload: an untied embedding table stays as loaded (only its rows are
   * read), the output head and a tied table are packed for the matmuls.
   */
  @Test
  void untiedEmbeddingTablesStayAsLoadedWhileMatricesArePacked() {
    try (CpuBackend cpu = cpu(true)) {
      HostTensor table = randomWeight(DType.BF16, 40, 64);
      HostTensor head = randomWeight(DType.BF16, 40, 64);
      ModelWeights<DeviceTensor> untied =
          new ModelWeights<>(table, List.<LayerWeights<HostTensor>>of(), randomF32(64), head)
              .map(cpu::uploadTable, cpu::upload);
      assertThat(untied.embed()).isSameAs(table);
      assertThat(untied.lmHead()).isInstanceOf(PanelWeight.class);
      ModelWeights<DeviceTensor> tied =
          new ModelWeights<>(table, List.<LayerWeights<HostTensor>>of(), randomF32(64), table)
              .map(cpu::uploadTable, cpu::upload);
      assertThat(tied.embed()).isSameAs(tied.lmHead()).isInstanceOf(PanelWeight.class);
      DeviceTensor a = cpu.allocate(2, 64);
      DeviceTensor b = cpu.allocate(2, 64);
      cpu.embed(untied.embed(), new int[] {3, 39}, a);
      cpu.embed(tied.embed(), new int[] {3, 39}, b);
      assertThat(cpu.read(b, 0, 128)).containsExactly(cpu.read(a, 0, 128));
    }
  }

  /**
   * A row of a batched BF16 step equals the same row computed alone, bit for bit: each output sums
   * its products in the same order whichever panel tile computes it (eight, six, four or one token,
   * and a last two or three run as four). Shapes with a partial last panel, rows of odd length (no
   * six- or eight-token tiles) and of even length (all of them on 16 lanes; on 8 lanes, the 256-bit
   * run, four-token tiles only), serial and split across threads, and rows long enough that 40
   * tokens take two passes over the panels.
   */
  @Test
  void bf16BatchedRowsEqualRowsComputedAlone() {
    assertThat(Bf16PanelMatmul.tokenBlock(32_770)).isLessThan(40);
    assertThat(Bf16PanelMatmul.takesHeapCopy(Bf16PanelMatmul.SIX))
        .isEqualTo(VectorSupport.F.length() >= 16);
    assertThat(Bf16PanelMatmul.takesHeapCopy(Bf16PanelMatmul.SIX - 1)).isFalse();
    try (CpuBackend cpu = cpu(true)) {
      for (int[] shape :
          new int[][] {{75, 131}, {75, 130}, {300, 256}, {40, 32_771}, {100, 32_770}}) {
        int out = shape[0];
        int in = shape[1];
        DeviceTensor w = cpu.upload(randomWeight(DType.BF16, out, in));
        DeviceTensor bias = cpu.upload(randomF32(out));
        for (int tokens : new int[] {2, 3, 4, 5, 6, 7, 9, 10, 11, 16, 27, 40}) {
          HostTensor x = randomF32(tokens, in);
          DeviceTensor batched = cpu.allocate(tokens, out);
          cpu.matmul(x, w, bias, tokens, batched);
          for (int t = 0; t < tokens; t++) {
            HostTensor row = HostTensor.ofFloats(arena, x.toFloats((long) t * in, in), 1, in);
            DeviceTensor alone = cpu.allocate(1, out);
            cpu.matmul(row, w, bias, 1, alone);
            assertThat(cpu.read(batched, (long) t * out, out))
                .as("%s, token %d of %d", w, t, tokens)
                .containsExactly(cpu.read(alone, 0, out));
          }
        }
      }
    }
  }

  /**
   * A fused Q/K/V-like pass equals the separate matmuls exactly: one range over the stacked rows,
   * with part sizes that are not multiples of the chunk so chunks straddle two parts, mixed weight
   * types (each part keeps its own kernel), biases on some parts, and enough work to go parallel.
   */
  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void fusedMatmulsEqualSeparateOnes(boolean vector) {
    try (CpuBackend cpu = cpu(vector)) {
      int in = 224; // whole Q8_0 blocks
      int[] outs = {56, 21, 21, 7};
      DType[] types = {DType.BF16, DType.BF16, DType.F32, DType.Q8_0};
      for (int tokens : new int[] {1, 5, 40}) {
        DeviceTensor x = cpu.upload(randomF32(tokens, in));
        DeviceTensor[] w = new DeviceTensor[outs.length];
        DeviceTensor[] bias = new DeviceTensor[outs.length];
        DeviceTensor[] fused = new DeviceTensor[outs.length];
        DeviceTensor[] separate = new DeviceTensor[outs.length];
        for (int i = 0; i < outs.length; i++) {
          w[i] =
              cpu.upload(
                  types[i] == DType.Q8_0
                      ? QuantBlocks.quantize(randomF32(outs[i], in), DType.Q8_0, arena)
                      : randomWeight(types[i], outs[i], in));
          bias[i] = i % 2 == 0 ? cpu.upload(randomF32(outs[i])) : null;
          fused[i] = cpu.allocate(tokens, outs[i]);
          separate[i] = cpu.allocate(tokens, outs[i]);
        }
        cpu.matmuls(x, w, bias, tokens, fused);
        for (int i = 0; i < outs.length; i++) {
          cpu.matmul(x, w[i], bias[i], tokens, separate[i]);
          assertThat(cpu.read(fused[i], 0, tokens * outs[i]))
              .as("part %d, %d tokens", i, tokens)
              .containsExactly(cpu.read(separate[i], 0, tokens * outs[i]));
        }
      }
    }
  }

  /** A decode-sized call, and a prefill-sized one that the rows split across both threads. */
  @ParameterizedTest(name = "vector={0}, {1} rows of {2}")
  @CsvSource({"true, 3, 45", "true, 100, 896", "false, 3, 45", "false, 100, 896"})
  void elementwiseKernelsMatchReference(boolean vector, int rows, int h) {
    try (CpuBackend cpu = cpu(vector)) {
      HostTensor x = randomF32(rows, h);
      HostTensor y = randomF32(rows, h);
      for (DType dt : PLAIN_TYPES) {
        HostTensor w = randomWeight(dt, h);
        HostTensor e = HostTensor.allocateF32(arena, rows, h);
        DeviceTensor a = cpu.allocate(rows, h);
        ref.rmsNorm(x, w, 1e-6f, rows, e);
        cpu.rmsNorm(x, cpu.upload(w), 1e-6f, rows, a);
        assertClose(ref, e, cpu, a, rows * h, 1e-5);
      }
      HostTensor e = HostTensor.allocateF32(arena, rows, h);
      DeviceTensor a = cpu.allocate(rows, h);
      ref.swiglu(x, y, rows, e);
      cpu.swiglu(x, y, rows, a);
      assertClose(ref, e, cpu, a, rows * h, 1e-5);
      HostTensor x2 = randomF32(rows, h);
      ref.write(e, ref.read(x2, 0, rows * h));
      cpu.write(a, ref.read(x2, 0, rows * h));
      ref.addInPlace(e, y, rows);
      cpu.addInPlace(a, y, rows);
      assertClose(ref, e, cpu, a, rows * h, 1e-6);
    }
  }

  /**
   * Rotary embedding over a prefill's rows (split across both threads) with heads of whole vectors
   * (64) and with a tail past them (80): the same bits as the reference, which rotates element by
   * element.
   */
  @ParameterizedTest(name = "vector={0}, head {1}")
  @CsvSource({"true, 64", "true, 80", "false, 64"})
  void ropeOverAPrefillEqualsReference(boolean vector, int hd) {
    try (CpuBackend cpu = cpu(vector)) {
      int heads = 14;
      int tokens = 100;
      HostTensor x = randomF32(tokens, heads * hd);
      HostTensor cosSin = randomF32(300, hd);
      int[] positions = random.ints(tokens, 0, 300).toArray();
      HostTensor e = HostTensor.allocateF32(arena, tokens, heads * hd);
      DeviceTensor a = cpu.allocate(tokens, heads * hd);
      ref.write(e, ref.read(x, 0, tokens * heads * hd));
      cpu.write(a, ref.read(x, 0, tokens * heads * hd));
      ref.rope(e, heads, hd, positions, cosSin);
      cpu.rope(a, heads, hd, positions, cosSin);
      assertThat(cpu.read(a, 0, tokens * heads * hd))
          .containsExactly(ref.read(e, 0, tokens * heads * hd));
    }
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void embedRopeGatherMatchReference(boolean vector) {
    try (CpuBackend cpu = cpu(vector)) {
      HostTensor table = randomWeight(DType.BF16, 11, 24);
      int[] ids = {3, 0, 10, 3};
      HostTensor e = HostTensor.allocateF32(arena, 4, 24);
      DeviceTensor a = cpu.allocate(4, 24);
      ref.embed(table, ids, e);
      cpu.embed(cpu.upload(table), ids, a);
      assertClose(ref, e, cpu, a, 4 * 24, 0);
      HostTensor cosSin = randomF32(20, 12);
      int[] positions = {19, 0, 5, 7};
      ref.rope(e, 2, 12, positions, cosSin);
      cpu.rope(a, 2, 12, positions, cosSin);
      assertClose(ref, e, cpu, a, 4 * 24, 1e-6);
      HostTensor ge = HostTensor.allocateF32(arena, 2, 24);
      DeviceTensor ga = cpu.allocate(2, 24);
      ref.gatherRows(e, new int[] {3, 1}, ge);
      cpu.gatherRows(a, new int[] {3, 1}, ga);
      assertClose(ref, ge, cpu, ga, 2 * 24, 0);
    }
  }

  /**
   * Head sizes that are not whole vectors (20), whole vectors in groups of four slices (64) and
   * with slices past the fours (80); the rows attend to 4 to 10 positions, so scores come in fours
   * and alone.
   */
  @ParameterizedTest(name = "vector={0}, head {1}")
  @CsvSource({"true, 20", "true, 64", "true, 80", "false, 20", "false, 64"})
  void pagedAttentionMatchesReferenceWithGqaAndMixedChunks(boolean vector, int hd) {
    try (CpuBackend cpu = cpu(vector)) {
      int heads = 4;
      int kvHeads = 2;
      int blockSize = 4;
      int blocks = 12;
      HostTensor kc = randomF32(blocks * blockSize, kvHeads * hd);
      HostTensor vc = randomF32(blocks * blockSize, kvHeads * hd);
      // Chunk 0: prefill of 5 tokens from position 3; chunk 1: one decode token at position 9.
      AttentionBatch b =
          new AttentionBatch(
              new int[] {0, 5},
              new int[] {5, 1},
              new int[] {3, 9},
              new int[][] {{7, 2}, {1, 11, 4}},
              blockSize,
              heads,
              kvHeads,
              hd);
      HostTensor q = randomF32(6, heads * hd);
      HostTensor e = HostTensor.allocateF32(arena, 6, heads * hd);
      DeviceTensor a = cpu.allocate(6, heads * hd);
      ref.attention(q, kc, vc, b, e);
      cpu.attention(q, kc, vc, b, a);
      assertClose(ref, e, cpu, a, 6 * heads * hd, 2e-4);
    }
  }

  /**
   * Chunks of a batch over long contexts: a 37-row prefill from position 50, decode rows at
   * positions 120 and 3, each chunk's cache blocks scattered over the cache.
   */
  private record LongBatch(AttentionBatch batch, HostTensor q, HostTensor k, HostTensor v) {}

  private LongBatch longBatch(int heads, int kvHeads, int hd, int blockSize) {
    return longBatch(heads, kvHeads, hd, blockSize, new int[] {50, 120, 3});
  }

  /** {@link #longBatch} with the three chunks starting at {@code start}. */
  private LongBatch longBatch(int heads, int kvHeads, int hd, int blockSize, int[] start) {
    int[] count = {37, 1, 1};
    int[][] tables = new int[3][];
    int blocks = 0;
    for (int c = 0; c < 3; c++) {
      tables[c] = new int[(start[c] + count[c] + blockSize - 1) / blockSize];
      blocks += tables[c].length;
    }
    List<Integer> ids = new java.util.ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      ids.add(i);
    }
    java.util.Collections.shuffle(ids, random);
    for (int c = 0, i = 0; c < 3; c++) {
      for (int j = 0; j < tables[c].length; j++) {
        tables[c][j] = ids.get(i++);
      }
    }
    AttentionBatch b =
        new AttentionBatch(
            new int[] {0, 37, 38}, count, start, tables, blockSize, heads, kvHeads, hd);
    return new LongBatch(
        b,
        randomF32(39, heads * hd),
        randomF32(blocks * blockSize, kvHeads * hd),
        randomF32(blocks * blockSize, kvHeads * hd));
  }

  /**
   * Grouped-query shapes of real models (seven query heads a key/value head as Qwen2.5-0.5B, four,
   * and one) over contexts longer than one span of transposed keys (64 positions), with more
   * queries than an eight-query tile and fewer; cache blocks of 5 put one 16-position block of keys
   * in several cache blocks. From position 240 the prefill's rows straddle the 256-position chunks
   * in which the weighted sum of values runs every row of an item.
   */
  @ParameterizedTest(name = "heads {0}/{1}, head {2}, cache blocks of {3}, prefill from {4}")
  @CsvSource({
    "14, 2, 64, 16, 50",
    "14, 2, 64, 5, 50",
    "8, 2, 128, 5, 50",
    "4, 4, 64, 16, 50",
    "6, 2, 80, 16, 50",
    "10, 2, 64, 16, 50",
    "12, 2, 64, 5, 50",
    "16, 2, 128, 16, 50",
    "14, 2, 64, 16, 240",
    "10, 2, 128, 5, 240"
  })
  void attentionOverLongContextsMatchesReference(
      int heads, int kvHeads, int hd, int blockSize, int start) {
    try (CpuBackend cpu = cpu(true)) {
      LongBatch l = longBatch(heads, kvHeads, hd, blockSize, new int[] {start, 120, 3});
      HostTensor e = HostTensor.allocateF32(arena, 39, heads * hd);
      DeviceTensor a = cpu.allocate(39, heads * hd);
      ref.attention(l.q(), l.k(), l.v(), l.batch(), e);
      cpu.attention(l.q(), l.k(), l.v(), l.batch(), a);
      assertClose(ref, e, cpu, a, 39 * heads * hd, 2e-4);
    }
  }

  /**
   * The cache the executor allocates ({@code allocateKvCache}: on 16-lane CPUs in {@link
   * GroupedKv}'s order), filled through {@code writeKv} in two calls and out of order, attends bit
   * for bit as the same keys and values in plain rows do, and so as the reference does. Cache
   * blocks of 5 take the key-by-key path; a head of 20 elements (not whole vectors) a cache in
   * rows.
   */
  @ParameterizedTest(name = "heads {0}/{1}, head {2}, cache blocks of {3}")
  @CsvSource({
    "14, 2, 64, 16, 50",
    "14, 2, 64, 5, 50",
    "8, 2, 128, 16, 50",
    "6, 2, 80, 16, 50",
    "4, 2, 20, 16, 50",
    "10, 2, 64, 16, 50",
    "16, 2, 128, 16, 50",
    "14, 2, 64, 16, 700",
    "14, 2, 64, 5, 700"
  })
  void aCacheWrittenThroughWriteKvAttendsAsRowsDo(
      int heads, int kvHeads, int hd, int blockSize, int start) {
    try (CpuBackend cpu = cpu(true)) {
      // from 700: a prefill and decode rows past several of values8's 256-position passes
      LongBatch l = longBatch(heads, kvHeads, hd, blockSize, new int[] {start, 2 * start, 3});
      int width = heads * hd;
      int kvDim = kvHeads * hd;
      int rows = l.k().dim(0);
      DeviceTensor inRows = cpu.allocate(39, width);
      cpu.attention(l.q(), l.k(), l.v(), l.batch(), inRows);
      HostTensor e = HostTensor.allocateF32(arena, 39, width);
      ref.attention(l.q(), l.k(), l.v(), l.batch(), e);
      assertClose(ref, e, cpu, inRows, 39 * width, 2e-4);

      int cacheRows = (rows + 15) / 16 * 16;
      DeviceTensor kc = cpu.allocateKvCache(cacheRows, kvHeads, hd, DType.F32);
      DeviceTensor vc = cpu.allocateKvCache(cacheRows, kvHeads, hd, DType.F32);
      writeInTwoCalls(cpu, l, kc, vc);
      DeviceTensor written = cpu.allocate(39, width);
      cpu.attention(l.q(), kc, vc, l.batch(), written);
      assertThat(cpu.read(written, 0, 39 * width)).containsExactly(cpu.read(inRows, 0, 39 * width));
    }
  }

  /**
   * Every cache row of {@code l}'s keys and values through {@code writeKv} into {@code kc} / {@code
   * vc}: the later rows first, then the earlier ones in reverse, so each call's rows come in any
   * order.
   */
  private void writeInTwoCalls(Backend backend, LongBatch l, DeviceTensor kc, DeviceTensor vc) {
    int rows = l.k().dim(0);
    int kvDim = l.k().dim(1);
    int half = rows / 2;
    int[] late = new int[rows - half];
    int[] early = new int[half];
    for (int i = 0; i < late.length; i++) {
      late[i] = half + i;
    }
    for (int i = 0; i < half; i++) {
      early[i] = half - 1 - i;
    }
    for (int[] slots : new int[][] {late, early}) {
      HostTensor k = HostTensor.allocateF32(arena, slots.length, kvDim);
      HostTensor v = HostTensor.allocateF32(arena, slots.length, kvDim);
      for (int i = 0; i < slots.length; i++) {
        long from = (long) slots[i] * kvDim * 4;
        long to = (long) i * kvDim * 4;
        MemorySegment.copy(l.k().segment(), from, k.segment(), to, kvDim * 4L);
        MemorySegment.copy(l.v().segment(), from, v.segment(), to, kvDim * 4L);
      }
      backend.writeKv(k, v, kc, vc, slots);
    }
  }

  /**
   * A BF16 cache ({@code kvCacheDtype: bfloat16}) filled through {@code writeKv} out of order
   * attends within float rounding as the reference does over its own BF16 cache, and bit for bit as
   * an F32 cache in rows holding the same values rounded to BF16: the rounding is the only
   * difference. {@link GroupedAttention} on 16 lanes over a cache in {@link GroupedKv}'s order, the
   * per-head kernels over one in rows (vector and scalar; on 16 lanes, where F32 rows take the
   * other kernel, within 1e-5), a head that is not whole vectors (20), blocks of 5, contexts past
   * several 256-position passes.
   */
  @ParameterizedTest(
      name = "heads {0}/{1}, head {2}, cache blocks of {3}, from {4}, vector {5}, {6} rows more")
  @CsvSource({
    "14, 2, 64, 16, 50, true, 0",
    "14, 2, 64, 5, 700, true, 0",
    "4, 2, 20, 16, 50, true, 0",
    "8, 2, 128, 16, 240, true, 0",
    "4, 4, 64, 16, 50, true, 0",
    "14, 2, 64, 16, 50, true, 1",
    "4, 2, 64, 5, 300, true, 1",
    "14, 2, 64, 16, 50, false, 0",
    "4, 2, 20, 5, 120, false, 0"
  })
  void aBf16CacheAttendsAsItsRoundedValuesInF32Do(
      int heads, int kvHeads, int hd, int blockSize, int start, boolean vector, int extra) {
    try (CpuBackend cpu = cpu(vector)) {
      LongBatch l = longBatch(heads, kvHeads, hd, blockSize, new int[] {start, 2 * start, 3});
      int width = heads * hd;
      int kvDim = kvHeads * hd;
      int rows = l.k().dim(0);
      // rows in whole groups of 16: GroupedKv's order on 16 lanes; one more: rows
      int cacheRows = (rows + 15) / 16 * 16 + extra;
      DeviceTensor kc = cpu.allocateKvCache(cacheRows, kvHeads, hd, DType.BF16);
      DeviceTensor vc = cpu.allocateKvCache(cacheRows, kvHeads, hd, DType.BF16);
      DeviceTensor rk = ref.allocateKvCache(cacheRows, kvHeads, hd, DType.BF16);
      DeviceTensor rv = ref.allocateKvCache(cacheRows, kvHeads, hd, DType.BF16);
      assertThat(kc.dtype()).isEqualTo(DType.BF16);
      writeInTwoCalls(cpu, l, kc, vc);
      writeInTwoCalls(ref, l, rk, rv);
      DeviceTensor a = cpu.allocate(39, width);
      cpu.attention(l.q(), kc, vc, l.batch(), a);
      HostTensor e = HostTensor.allocateF32(arena, 39, width);
      ref.attention(l.q(), rk, rv, l.batch(), e);
      assertClose(ref, e, cpu, a, 39 * width, 2e-4);

      HostTensor roundedK = HostTensor.allocateF32(arena, rows, kvDim);
      HostTensor roundedV = HostTensor.allocateF32(arena, rows, kvDim);
      for (long i = 0; i < (long) rows * kvDim; i++) {
        roundedK.setFloat(i, DType.bf16ToFloat(DType.floatToBf16(l.k().getFloat(i))));
        roundedV.setFloat(i, DType.bf16ToFloat(DType.floatToBf16(l.v().getFloat(i))));
      }
      DeviceTensor inRows = cpu.allocate(39, width);
      cpu.attention(l.q(), roundedK, roundedV, l.batch(), inRows);
      if (extra == 0 || !GroupedAttention.applies(vector, hd)) {
        assertThat(cpu.read(a, 0, 39 * width)).containsExactly(cpu.read(inRows, 0, 39 * width));
      } else {
        // a BF16 cache in rows goes head by head, F32 rows through GroupedAttention: other orders
        assertClose(cpu, inRows, cpu, a, 39 * width, 1e-5);
      }
      // and the rounding moved the outputs, so the cache did round
      DeviceTensor exact = cpu.allocate(39, width);
      cpu.attention(l.q(), l.k(), l.v(), l.batch(), exact);
      assertThat(cpu.read(a, 0, 39 * width)).isNotEqualTo(cpu.read(exact, 0, 39 * width));
    }
  }

  /** A pair of caches of two dtypes is refused by name rather than read as one of them. */
  @Test
  void keyAndValueCachesOfDifferentDtypesAreRefused() {
    try (CpuBackend cpu = cpu(true)) {
      DeviceTensor kc = cpu.allocateKvCache(32, 2, 64, DType.BF16);
      DeviceTensor vc = cpu.allocateKvCache(32, 2, 64, DType.F32);
      HostTensor k = randomF32(1, 128);
      assertThatThrownBy(() -> cpu.writeKv(k, k, kc, vc, new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("BF16 and F32");
      assertThatThrownBy(() -> cpu.allocateKvCache(32, 2, 64, DType.Q8_0))
          .hasMessageContaining("F32 or BF16");
    }
  }

  /**
   * The same call gives the same bits every time, from the first (interpreted kernels) to the last
   * (compiled): the softmax's exponential used to round differently before and after C2 compiled
   * it, so attention over the same cache differed in the last bit between calls (groups of seven
   * and five heads, contexts of 50 to 1,400).
   */
  @ParameterizedTest(name = "heads {0}/2, chunks from {1}")
  @CsvSource({"14, 50", "10, 50", "14, 700", "10, 700"})
  void attentionGivesTheSameBitsOnEveryCall(int heads, int start) {
    try (CpuBackend cpu = cpu(true)) {
      LongBatch l = longBatch(heads, 2, 64, 16, new int[] {start, 2 * start, 3});
      int width = heads * 64;
      float[] first = null;
      for (int call = 0; call < 6; call++) {
        DeviceTensor a = cpu.allocate(39, width);
        cpu.attention(l.q(), l.k(), l.v(), l.batch(), a);
        float[] got = cpu.read(a, 0, 39 * width);
        if (first == null) {
          first = got;
        } else {
          assertThat(got).as("call %d", call).containsExactly(first);
        }
      }
    }
  }

  /** A cache laid out for one head size is refused, by name, to attention over another. */
  @Test
  void aCacheLaidOutForAnotherHeadSizeIsRefused() {
    try (CpuBackend cpu = cpu(true)) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          GroupedAttention.applies(true, 64), "16-lane vectors lay caches out in groups");
      DeviceTensor kc = cpu.allocateKvCache(32, 2, 64, DType.F32);
      DeviceTensor vc = cpu.allocateKvCache(32, 2, 64, DType.F32);
      AttentionBatch b =
          new AttentionBatch(
              new int[] {0}, new int[] {1}, new int[] {3}, new int[][] {{0}}, 16, 8, 4, 32);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> cpu.attention(randomF32(1, 8 * 32), kc, vc, b, cpu.allocate(1, 8 * 32)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("head size 64");
    }
  }

  /**
   * A row attends bit for bit the same whatever else its step holds: each prefill row, and the
   * decode row, computed alone (a one-row chunk at its position over the same cache) equals the row
   * computed in the batch, as the engine's batched and one-at-a-time runs need.
   */
  @Test
  void attentionRowsEqualTheSameRowsComputedAlone() {
    int heads = 14;
    int kvHeads = 2;
    int hd = 64;
    int width = heads * hd;
    try (CpuBackend cpu = cpu(true)) {
      LongBatch l = longBatch(heads, kvHeads, hd, 16);
      DeviceTensor all = cpu.allocate(39, width);
      cpu.attention(l.q(), l.k(), l.v(), l.batch(), all);
      float[] batched = cpu.read(all, 0, 39 * width);
      AttentionBatch b = l.batch();
      for (int row : new int[] {0, 7, 20, 36, 37}) {
        int c = row < 37 ? 0 : 1;
        int position = b.startPosition()[c] + row - b.rowStart()[c];
        AttentionBatch one =
            new AttentionBatch(
                new int[] {0},
                new int[] {1},
                new int[] {position},
                new int[][] {b.blockTables()[c]},
                16,
                heads,
                kvHeads,
                hd);
        HostTensor q = HostTensor.allocateF32(arena, 1, width);
        MemorySegment.copy(
            l.q().segment(), (long) row * width * 4, q.segment(), 0, (long) width * 4);
        DeviceTensor alone = cpu.allocate(1, width);
        cpu.attention(q, l.k(), l.v(), one, alone);
        float[] expected = java.util.Arrays.copyOfRange(batched, row * width, (row + 1) * width);
        assertThat(cpu.read(alone, 0, width)).as("row %d", row).containsExactly(expected);
      }
    }
  }
}
