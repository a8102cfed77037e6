package dev.cairn.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector quantizer writes byte for byte the blocks of the scalar reference ({@link
 * QuantBlocks#quantizeQ8}, {@link QuantBlocks#quantizeQ4}): random rows of every magnitude, and
 * blocks made to hit rounding ties, the float just below one half, zeros of both signs, NaN,
 * infinities, and scales that underflow.
 */
class VectorQuantizerTest {

  private static final int BLOCK = QuantBlocks.BLOCK;

  @Test
  void q8BlocksEqualTheScalarReference() {
    assumeTrue(VectorQuantizer.available());
    float[] row = cases();
    long bytes = DType.Q8_0.byteSize(row.length);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment vector = arena.allocate(bytes);
      MemorySegment scalar = arena.allocate(bytes);
      VectorQuantizer.q8Row(row, row.length, vector, 0);
      for (int b = 0; b < row.length / BLOCK; b++) {
        QuantBlocks.quantizeQ8(row, b * BLOCK, scalar, b * DType.Q8_0.byteSize(BLOCK));
      }
      assertSameBlocks(vector, scalar, DType.Q8_0, row);
    }
  }

  @Test
  void q4BlocksEqualTheScalarReference() {
    assumeTrue(VectorQuantizer.available());
    float[] row = cases();
    long bytes = DType.Q4_0.byteSize(row.length);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment vector = arena.allocate(bytes);
      MemorySegment scalar = arena.allocate(bytes);
      VectorQuantizer.q4Row(row, row.length, vector, 0);
      for (int b = 0; b < row.length / BLOCK; b++) {
        QuantBlocks.quantizeQ4(row, b * BLOCK, scalar, b * DType.Q4_0.byteSize(BLOCK));
      }
      assertSameBlocks(vector, scalar, DType.Q4_0, row);
    }
  }

  @Test
  void bf16RowsWidenAsElementByElement() {
    assumeTrue(VectorQuantizer.available());
    Random random = new Random(11);
    int n = 16 * 9 + 7; // a tail past the last whole vector
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bf16 = arena.allocate((n + 5L) * Short.BYTES);
      for (int i = 0; i < n + 5; i++) {
        bf16.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) random.nextInt());
      }
      float[] out = new float[n];
      VectorQuantizer.bf16Row(bf16, 5, n, out);
      for (int i = 0; i < n; i++) {
        float expected = DType.bf16ToFloat(bf16.getAtIndex(ValueLayout.JAVA_SHORT, 5 + i));
        assertThat(Float.floatToRawIntBits(out[i]))
            .as("element %d", i)
            .isEqualTo(Float.floatToRawIntBits(expected));
      }
    }
  }

  @Test
  void aBf16MatrixQuantizesAsItsFloatsDo() {
    Random random = new Random(5);
    int rows = 6;
    int in = 4 * BLOCK;
    try (Arena arena = Arena.ofShared()) { // rows are quantized on several threads
      MemorySegment bf16 = arena.allocate((long) rows * in * Short.BYTES);
      float[] floats = new float[rows * in];
      for (int i = 0; i < rows * in; i++) {
        short bits = (short) (Float.floatToIntBits((float) random.nextGaussian() * 0.05f) >>> 16);
        bf16.setAtIndex(ValueLayout.JAVA_SHORT, i, bits);
        floats[i] = DType.bf16ToFloat(bits);
      }
      HostTensor t = new HostTensor(DType.BF16, new int[] {rows, in}, bf16);
      for (DType format : new DType[] {DType.Q8_0, DType.Q4_0}) {
        MemorySegment blocks = QuantBlocks.quantize(t, format, arena).segment();
        MemorySegment expected = arena.allocate(format.byteSize(rows * in));
        for (int b = 0; b < rows * in / BLOCK; b++) {
          long at = b * format.byteSize(BLOCK);
          if (format == DType.Q8_0) {
            QuantBlocks.quantizeQ8(floats, b * BLOCK, expected, at);
          } else {
            QuantBlocks.quantizeQ4(floats, b * BLOCK, expected, at);
          }
        }
        assertSameBlocks(blocks, expected, format, floats);
      }
    }
  }

  /** Byte for byte, naming the first differing block and its inputs. */
  private static void assertSameBlocks(
      MemorySegment actual, MemorySegment expected, DType format, float[] row) {
    long blockBytes = format.byteSize(BLOCK);
    for (int b = 0; b < row.length / BLOCK; b++) {
      for (long i = 0; i < blockBytes; i++) {
        long at = b * blockBytes + i;
        assertThat(actual.get(ValueLayout.JAVA_BYTE, at))
            .as(
                "%s block %d byte %d (inputs %s)",
                format,
                b,
                i,
                java.util.Arrays.toString(
                    java.util.Arrays.copyOfRange(row, b * BLOCK, b * BLOCK + BLOCK)))
            .isEqualTo(expected.get(ValueLayout.JAVA_BYTE, at));
      }
    }
  }

  /** Blocks of 32: random ones at many magnitudes, then the edge cases, all in one row. */
  private static float[] cases() {
    Random random = new Random(42);
    List<float[]> blocks = new ArrayList<>();
    for (int k = 0; k < 400; k++) {
      float scale = (float) Math.pow(10, random.nextInt(12) - 8);
      float[] x = new float[BLOCK];
      for (int j = 0; j < BLOCK; j++) {
        x[j] = (float) random.nextGaussian() * scale;
      }
      blocks.add(x);
    }
    // amax 127 (d = 1, 1/d = 1): the codes are the values, halves and the float below one half
    float[] ties = new float[BLOCK];
    float[] values = {
      127f,
      2.5f,
      -2.5f,
      0.5f,
      -0.5f,
      0.49999997f,
      -0.49999997f,
      1.5f,
      -1.5f,
      126.5f,
      -126.5f,
      0.50000006f,
      3.4999998f,
      -3.4999998f,
      0f,
      -0f
    };
    System.arraycopy(values, 0, ties, 0, values.length);
    blocks.add(ties);
    // Q4_0: amax 8 (d = -1 or 1): halves land on nibble ties
    float[] q4ties = new float[BLOCK];
    for (int j = 0; j < BLOCK; j++) {
      q4ties[j] = (j % 17) - 8.5f + (j % 2 == 0 ? 0f : 0.5f);
    }
    q4ties[3] = -8f;
    blocks.add(q4ties);
    // the same magnitude with both signs: the first decides Q4_0's sign
    float[] signs = new float[BLOCK];
    signs[4] = -3f;
    signs[9] = 3f;
    signs[20] = 1f;
    blocks.add(signs);
    blocks.add(new float[BLOCK]);
    float[] negativeZeros = new float[BLOCK];
    java.util.Arrays.fill(negativeZeros, -0f);
    blocks.add(negativeZeros);
    float[] nan = gaussian(random);
    nan[7] = Float.NaN;
    blocks.add(nan);
    float[] firstNan = gaussian(random);
    firstNan[0] = Float.NaN;
    blocks.add(firstNan);
    float[] inf = gaussian(random);
    inf[12] = Float.POSITIVE_INFINITY;
    blocks.add(inf);
    float[] negInf = gaussian(random);
    negInf[30] = Float.NEGATIVE_INFINITY;
    negInf[2] = Float.POSITIVE_INFINITY;
    blocks.add(negInf);
    float[] huge = gaussian(random);
    huge[5] = 3e38f;
    huge[6] = -3e38f;
    blocks.add(huge);
    // subnormal magnitudes: d underflows or 1/d overflows
    float[] tiny = new float[BLOCK];
    for (int j = 0; j < BLOCK; j++) {
      tiny[j] = (j - 16) * Float.MIN_VALUE * 3;
    }
    blocks.add(tiny);
    float[] tinier = new float[BLOCK];
    tinier[1] = Float.MIN_VALUE;
    tinier[2] = -Float.MIN_VALUE * 200;
    blocks.add(tinier);
    float[] row = new float[blocks.size() * BLOCK];
    for (int b = 0; b < blocks.size(); b++) {
      System.arraycopy(blocks.get(b), 0, row, b * BLOCK, BLOCK);
    }
    return row;
  }

  private static float[] gaussian(Random random) {
    float[] x = new float[BLOCK];
    for (int j = 0; j < BLOCK; j++) {
      x[j] = (float) random.nextGaussian();
    }
    return x;
  }
}
