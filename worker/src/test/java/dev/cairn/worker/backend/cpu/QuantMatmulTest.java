package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

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
 * differs). Token counts cover the 4-token tiles, their edges and decode; 37 rows leave an odd row
 * and a partial row slab.
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
      for (int in : new int[] {32, 96, 256}) {
        HostTensor w = QuantBlocks.quantize(randomF32(37, in), format, arena);
        DeviceTensor uploaded = cpu.upload(w);
        assertThat(uploaded.dtype()).isEqualTo(format);
        for (int tokens : new int[] {1, 3, 4, 5, 9, 20, 37}) {
          for (boolean withBias : new boolean[] {false, true}) {
            HostTensor x = randomF32(tokens, in);
            HostTensor bias = withBias ? randomF32(37) : null;
            DeviceTensor expected = ref.allocate(tokens, 37);
            DeviceTensor actual = cpu.allocate(tokens, 37);
            ref.matmul(x, w, bias, tokens, expected);
            cpu.matmul(x, uploaded, bias == null ? null : cpu.upload(bias), tokens, actual);
            float[] ex = ref.read(expected, 0, tokens * 37);
            float[] ac = cpu.read(actual, 0, tokens * 37);
            double scale = Math.sqrt(in) * 4;
            for (int i = 0; i < ex.length; i++) {
              assertThat((double) ac[i])
                  .as("in %d tokens %d bias %s element %d", in, tokens, withBias, i)
                  .isCloseTo(ex[i], org.assertj.core.data.Offset.offset(1e-4 * scale));
            }
          }
        }
      }
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
