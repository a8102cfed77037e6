package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Q8_0 and Q4_0 matmuls (vector tiles on 2 threads, scalar fallback on 1) against the reference
 * backend on the same quantized weights, which it dequantizes element by element: they agree within
 * float rounding (relative 1e-4; the dequantized weights are exact, only the summation order
 * differs). Token counts cover decode, the 4- and 8-token tiles and their edges, both sides of the
 * slab kernels' threshold, and slab tiles of one and two token blocks, whole and partial; 37 rows
 * leave an odd row, a partial row slab and no whole panels (GGUF-row kernels), 64 rows are two
 * panels.
 */
class QuantMatmulTest {

  private final Arena arena = Arena.ofShared();
  private final Random random = new Random(11);
  private final ReferenceBackend ref = new ReferenceBackend();

  @AfterEach
  void close() {
    ref.close();
    arena.close();
  }

  /** Skips a test of panel kernels where {@code format} is not panelled (4-lane CPUs). */
  private static void assumePanels(DType format) {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        QuantPanelWeight.available(format), "panels of " + format + " on this CPU");
  }

  private HostTensor randomF32(int... shape) {
    HostTensor t = HostTensor.allocateF32(arena, shape);
    for (long i = 0; i < t.numel(); i++) {
      t.setFloat(i, (float) random.nextGaussian());
    }
    return t;
  }

  @ParameterizedTest(name = "{0} vector={1}")
  @CsvSource({"Q8_0,true", "Q8_0,false", "Q4_0,true", "Q4_0,false"})
  void matchesReferenceOnTheDequantizedWeights(DType format, boolean vector) {
    try (CpuBackend cpu = vector ? new CpuBackend(2, true) : new CpuBackend(1, false)) {
      for (int rows : new int[] {37, 64}) {
        for (int in : new int[] {32, 96, 256}) {
          HostTensor f32 = randomF32(rows, in);
          HostTensor w = QuantBlocks.quantize(f32, format, arena);
          // the upload may reorder its own copy in place (panels)
          DeviceTensor uploaded = cpu.upload(QuantBlocks.quantize(f32, format, arena));
          assertThat(uploaded.dtype()).isEqualTo(format);
          assertThat(uploaded instanceof QuantPanelWeight)
              .as("panels")
              .isEqualTo(vector && rows == 64 && QuantPanelWeight.available(format));
          for (int tokens : new int[] {1, 3, 4, 5, 9, 13, 16, 20, 31, 32, 37, 40, 64, 80}) {
            for (boolean withBias : new boolean[] {false, true}) {
              HostTensor x = randomF32(tokens, in);
              HostTensor bias = withBias ? randomF32(rows) : null;
              DeviceTensor expected = ref.allocate(tokens, rows);
              DeviceTensor actual = cpu.allocate(tokens, rows);
              ref.matmul(x, w, bias, tokens, expected);
              cpu.matmul(x, uploaded, bias == null ? null : cpu.upload(bias), tokens, actual);
              float[] ex = ref.read(expected, 0, tokens * rows);
              float[] ac = cpu.read(actual, 0, tokens * rows);
              double scale = Math.sqrt(in) * 4;
              for (int i = 0; i < ex.length; i++) {
                assertThat((double) ac[i])
                    .as("rows %d in %d tokens %d bias %s element %d", rows, in, tokens, withBias, i)
                    .isCloseTo(ex[i], offset(1e-4 * scale));
              }
            }
          }
        }
      }
    }
  }

  /**
   * Q8_0 and Q4_0 panels: a step of fewer than {@link QuantPanelWeight#maxTileTokens} tokens gives
   * each token's row what that token computed alone gives, and ranges cut inside a panel or a
   * panel's half (a thread's chunk, a fused projection's edge) give the same bits as the whole
   * range, in the panel tiles and in the slabs widened from panels. Bit for bit for a token that
   * runs the decode tile (a step's one token past its four-token tiles); the batched tiles, which
   * also run a last two or three tokens padded to four, add in another order than the decode tile
   * (per column rather than per block), so their rows equal the rows computed alone within float
   * rounding: {@code 1e-5} of the sum of the products' magnitudes.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"Q8_0", "Q4_0"})
  void panelRowsEqualTheSameRowsComputedAloneAndInAnyRange(DType format) {
    assumePanels(format);
    int rows = 96;
    int in = 160;
    try (CpuBackend cpu = new CpuBackend(2, true)) {
      HostTensor f32 = randomF32(rows, in);
      QuantPanelWeight w = (QuantPanelWeight) cpu.upload(QuantBlocks.quantize(f32, format, arena));
      HostTensor bias = randomF32(rows);
      for (int tokens : new int[] {13, 3, 2, 6, 7, 14, 15, 40}) {
        HostTensor x = randomF32(tokens, in);
        HostTensor all = HostTensor.allocateF32(arena, tokens, rows);
        cpu.matmul(x, w, bias, tokens, all);
        if (tokens < QuantPanelWeight.maxTileTokens(format)) {
          for (int t = 0; t < tokens; t++) {
            boolean exact = tokens % 4 == 1 && t == tokens - 1;
            HostTensor one = HostTensor.allocateF32(arena, 1, in);
            one.segment().copyFrom(x.segment().asSlice((long) t * in * 4, in * 4L));
            HostTensor alone = HostTensor.allocateF32(arena, 1, rows);
            cpu.matmul(one, w, bias, 1, alone);
            for (int r = 0; r < rows; r++) {
              float got = all.getFloat((long) t * rows + r);
              if (exact) {
                assertThat(got).as("token %d row %d", t, r).isEqualTo(alone.getFloat(r));
              } else {
                double magnitude = 0;
                for (int k = 0; k < in; k++) {
                  magnitude +=
                      Math.abs(x.getFloat((long) t * in + k) * f32.getFloat((long) r * in + k));
                }
                assertThat((double) got)
                    .as("token %d row %d", t, r)
                    .isCloseTo(alone.getFloat(r), offset(1e-5 * magnitude));
              }
            }
          }
        }
        float[] xi =
            format == DType.Q8_0
                ? TileActivations.copy(x.segment(), tokens, in, true)
                : Q4PanelMatmul.activations(x.segment(), tokens, in);
        float[] xT = QuantSlabMatmul.transposeTokens(x.segment(), tokens, in);
        TiledMatmul.Operands ops =
            TiledMatmul.Operands.of(
                x.segment(),
                x.segment(),
                w.panels(),
                bias.segment(),
                in,
                QuantBlocks.BLOCK,
                rows,
                null);
        for (int[] range : new int[][] {{0, 96}, {5, 22}, {16, 48}, {40, 61}, {90, 96}}) {
          HostTensor part = HostTensor.allocateF32(arena, tokens, rows);
          if (tokens < QuantPanelWeight.maxTileTokens(format) && format == DType.Q8_0) {
            Q8PanelMatmul.multiply(
                w, xi, bias.segment(), tokens, part.segment(), range[0], range[1]);
          } else if (tokens < QuantPanelWeight.maxTileTokens(format)) {
            Q4PanelMatmul.multiply(
                w, xi, bias.segment(), tokens, part.segment(), range[0], range[1]);
          } else {
            TiledMatmul.Operands into =
                TiledMatmul.Operands.of(
                    ops.x(),
                    ops.x(),
                    ops.w(),
                    ops.bias(),
                    in,
                    QuantBlocks.BLOCK,
                    rows,
                    part.segment());
            QuantSlabMatmul.multiplyPanels(w, into, xT, tokens, range[0], range[1]);
          }
          for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
              float got = part.getFloat((long) t * rows + r);
              if (r >= range[0] && r < range[1]) {
                assertThat(got)
                    .as(
                        "tokens %d range %s token %d row %d",
                        tokens, java.util.Arrays.toString(range), t, r)
                    .isEqualTo(all.getFloat((long) t * rows + r));
              } else {
                assertThat(got)
                    .as("row %d outside %s", r, java.util.Arrays.toString(range))
                    .isZero();
              }
            }
          }
        }
      }
    }
  }

  /**
   * A step's last tokens padded into a tile (two or three into a four-token one; on 16 lanes six or
   * seven into an eight-token one) give the same bits as those tokens in a step whose tile is full:
   * the batched tiles add every output's products in column order, and the zero tokens add nothing
   * to the others' lanes.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"Q8_0", "Q4_0"})
  void paddedTilesEqualTheSameTokensInAFullerStep(DType format) {
    assumePanels(format);
    int rows = 64;
    int in = 96;
    int most = 15;
    try (CpuBackend cpu = new CpuBackend(2, true)) {
      QuantPanelWeight w =
          (QuantPanelWeight) cpu.upload(QuantBlocks.quantize(randomF32(rows, in), format, arena));
      HostTensor x = randomF32(most, in);
      HostTensor full = HostTensor.allocateF32(arena, most, rows);
      cpu.matmul(x, w, null, most, full);
      for (int tokens : new int[] {2, 3, 6, 7, 10, 11, 14}) {
        HostTensor part = HostTensor.allocateF32(arena, tokens, rows);
        HostTensor first = HostTensor.allocateF32(arena, tokens, in);
        first.segment().copyFrom(x.segment().asSlice(0, (long) tokens * in * Float.BYTES));
        cpu.matmul(first, w, null, tokens, part);
        for (int t = 0; t < tokens; t++) {
          for (int r = 0; r < rows; r++) {
            assertThat(part.getFloat((long) t * rows + r))
                .as("%d tokens, token %d row %d", tokens, t, r)
                .isEqualTo(full.getFloat((long) t * rows + r));
          }
        }
      }
    }
  }

  /**
   * Q4_0's panel tiles read {@link TileActivations#copy} of the activations and, where a last token
   * runs the decode tile, that token's offset of each block after it: {@code −8 ·} the sum of its
   * 32 activations, taken once a block rather than once a weight.
   */
  @org.junit.jupiter.api.Test
  void q4ActivationsCarryTheDecodedTokensBlockOffsets() {
    int in = 96;
    for (int tokens : new int[] {1, 2, 4, 5, 7, 9, 13}) {
      HostTensor x = randomF32(tokens, in);
      float[] copy = TileActivations.copy(x.segment(), tokens, in, false).clone();
      float[] a = Q4PanelMatmul.activations(x.segment(), tokens, in);
      int held = TileActivations.padded(tokens) * in;
      for (int i = 0; i < held; i++) {
        assertThat(a[i]).as("tokens %d element %d", tokens, i).isEqualTo(copy[i]);
      }
      if (tokens % 4 == 1) {
        for (int b = 0; b < in / QuantBlocks.BLOCK; b++) {
          double sum = 0;
          for (int j = 0; j < QuantBlocks.BLOCK; j++) {
            sum += x.getFloat((long) (tokens - 1) * in + b * QuantBlocks.BLOCK + j);
          }
          assertThat((double) a[held + b])
              .as("tokens %d block %d", tokens, b)
              .isCloseTo(-8 * sum, offset(1e-4));
        }
      }
    }
  }

  /**
   * The loader's quantized copy becomes the panels (no second copy of the weights); uploading it
   * again is refused rather than reordering it twice, and a read-only matrix (a mapped file) is
   * copied, its bytes untouched.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"Q8_0", "Q4_0"})
  void panelsReorderTheCopyInPlaceOnce(DType format) {
    assumePanels(format);
    try (CpuBackend cpu = new CpuBackend(2, true)) {
      HostTensor w = QuantBlocks.quantize(randomF32(64, 96), format, arena);
      QuantPanelWeight p = (QuantPanelWeight) cpu.upload(w);
      assertThat(p.panels().address()).isEqualTo(w.segment().address());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> cpu.upload(w))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already uploaded");

      HostTensor source = QuantBlocks.quantize(randomF32(64, 96), format, arena);
      byte[] before = source.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      HostTensor readOnly = new HostTensor(format, source.shape(), source.segment().asReadOnly());
      QuantPanelWeight copied = (QuantPanelWeight) cpu.upload(readOnly);
      assertThat(copied.panels().address()).isNotEqualTo(source.segment().address());
      assertThat(source.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
          .isEqualTo(before);
    }
  }

  /**
   * A one-token step walks the first half of its row range beside the second, two rows at a time;
   * every output equals the row computed alone (a range of one row), bit for bit, for even and odd
   * ranges and ranges that do not start at row 0 (a thread's chunk).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"Q8_0", "Q4_0"})
  void decodeRowsInPairsEqualRowsComputedAlone(DType format) {
    // the GGUF-row tiles themselves, which the backend runs only where QuantLoads does
    org.junit.jupiter.api.Assumptions.assumeTrue(
        QuantLoads.available(), "quantized vector loads on this CPU");
    int rows = 37;
    int in = 96;
    HostTensor w = QuantBlocks.quantize(randomF32(rows, in), format, arena);
    HostTensor x = randomF32(1, in);
    HostTensor bias = randomF32(rows);
    TiledMatmul tiles = format == DType.Q8_0 ? Q8Matmul.TILES : Q4Matmul.TILES;
    HostTensor alone = HostTensor.allocateF32(arena, 1, rows);
    TiledMatmul.Operands one = oneToken(x, w, bias, alone);
    for (int r = 0; r < rows; r++) {
      tiles.multiply(one, 1, r, r + 1);
    }
    for (int[] range : new int[][] {{0, rows}, {0, 36}, {5, 22}, {5, 21}, {36, 37}}) {
      HostTensor paired = HostTensor.allocateF32(arena, 1, rows);
      TiledMatmul.Operands ops = oneToken(x, w, bias, paired);
      tiles.multiply(ops, 1, range[0], range[1]);
      for (int r = range[0]; r < range[1]; r++) {
        assertThat(paired.getFloat(r))
            .as("row %d of [%d, %d)", r, range[0], range[1])
            .isEqualTo(alone.getFloat(r));
      }
    }
  }

  /** Operands of a one-token step of {@code w} into {@code out}. */
  private static TiledMatmul.Operands oneToken(
      HostTensor x, HostTensor w, HostTensor bias, HostTensor out) {
    return TiledMatmul.Operands.of(
        x.segment(),
        x.segment(),
        w.segment(),
        bias.segment(),
        w.dim(1),
        QuantBlocks.BLOCK,
        w.dim(0),
        out.segment());
  }
}
