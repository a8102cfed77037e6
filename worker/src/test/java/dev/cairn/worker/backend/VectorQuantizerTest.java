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
    assertRowEqualsScalar(DType.Q8_0);
  }

  @Test
  void q4BlocksEqualTheScalarReference() {
    assertRowEqualsScalar(DType.Q4_0);
  }

  private static void assertRowEqualsScalar(DType format) {
    assumeTrue(VectorQuantizer.available());
    float[] row = cases();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment vector = arena.allocate(format.byteSize(row.length));
      if (format == DType.Q8_0) {
        VectorQuantizer.q8Row(row, row.length, vector, 0);
      } else {
        VectorQuantizer.q4Row(row, row.length, vector, 0);
      }
      assertSameBlocks(vector, scalarBlocks(row, format, arena), format, row);
    }
  }

  /** {@code x} quantized block by block by the scalar reference. */
  private static MemorySegment scalarBlocks(float[] x, DType format, Arena arena) {
    MemorySegment out = arena.allocate(format.byteSize(x.length));
    for (int b = 0; b < x.length / BLOCK; b++) {
      long at = b * format.byteSize(BLOCK);
      if (format == DType.Q8_0) {
        QuantBlocks.quantizeQ8(x, b * BLOCK, out, at);
      } else {
        QuantBlocks.quantizeQ4(x, b * BLOCK, out, at);
      }
    }
    return out;
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
        assertSameBlocks(blocks, scalarBlocks(floats, format, arena), format, floats);
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
    blocks.add(gaussianWith(random, new int[] {7}, Float.NaN));
    blocks.add(gaussianWith(random, new int[] {0}, Float.NaN));
    blocks.add(gaussianWith(random, new int[] {12}, Float.POSITIVE_INFINITY));
    blocks.add(
        gaussianWith(random, new int[] {30, 2}, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY));
    blocks.add(gaussianWith(random, new int[] {5, 6}, 3e38f, -3e38f));
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

  /** A block of standard normals with {@code values} at positions {@code at}. */
  private static float[] gaussianWith(Random random, int[] at, float... values) {
    float[] x = new float[BLOCK];
    for (int j = 0; j < BLOCK; j++) {
      x[j] = (float) random.nextGaussian();
    }
    for (int i = 0; i < at.length; i++) {
      x[at[i]] = values[i];
    }
    return x;
  }
}
