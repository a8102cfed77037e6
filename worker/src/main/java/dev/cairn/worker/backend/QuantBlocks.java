package dev.cairn.worker.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * GGUF's Q8_0 and Q4_0 blocks: 32 consecutive weights of a row share one F16 scale {@code d},
 * stored first. Q8_0 then holds 32 signed bytes {@code q}, weight = d·q. Q4_0 holds 16 bytes whose
 * low nibbles are weights 0–15 and high nibbles weights 16–31, each an unsigned 4-bit {@code q},
 * weight = d·(q − 8). Quantizing follows ggml's reference rounding, so a block made here equals the
 * one llama.cpp's converter writes for the same floats.
 */
public final class QuantBlocks {

  /** Weights per block. */
  public static final int BLOCK = 32;

  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private QuantBlocks() {}

  /** Element {@code i} of Q8_0 blocks, dequantized. */
  public static float q8At(MemorySegment blocks, long i) {
    long base = i / BLOCK * DType.Q8_0.byteSize(BLOCK);
    return scale(blocks, base) * blocks.get(ValueLayout.JAVA_BYTE, base + 2 + i % BLOCK);
  }

  /** Element {@code i} of Q4_0 blocks, dequantized. */
  public static float q4At(MemorySegment blocks, long i) {
    long base = i / BLOCK * DType.Q4_0.byteSize(BLOCK);
    int j = (int) (i % BLOCK);
    int packed = blocks.get(ValueLayout.JAVA_BYTE, base + 2 + j % 16) & 0xFF;
    int q = j < 16 ? packed & 0x0F : packed >>> 4;
    return scale(blocks, base) * (q - 8);
  }

  /** The F16 scale of the block at byte {@code base}. */
  public static float scale(MemorySegment blocks, long base) {
    return Float.float16ToFloat(blocks.get(I16, base));
  }

  /**
   * Writes the Q8_0 block of {@code x[from, from + 32)} at byte {@code base}: d = max|x| / 127, q =
   * round(x / d).
   */
  public static void quantizeQ8(float[] x, int from, MemorySegment out, long base) {
    float amax = 0;
    for (int j = 0; j < BLOCK; j++) {
      amax = Math.max(amax, Math.abs(x[from + j]));
    }
    float d = amax / 127f;
    float id = d != 0 ? 1f / d : 0f;
    out.set(I16, base, Float.floatToFloat16(d));
    for (int j = 0; j < BLOCK; j++) {
      out.set(ValueLayout.JAVA_BYTE, base + 2 + j, (byte) roundHalfAway(x[from + j] * id));
    }
  }

  /**
   * Writes the Q4_0 block of {@code x[from, from + 32)} at byte {@code base}: the value of largest
   * magnitude maps to −8 (d = max / −8), so its sign decides which end of [−8, 7] is reached.
   */
  public static void quantizeQ4(float[] x, int from, MemorySegment out, long base) {
    float amax = 0;
    float max = 0;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[from + j];
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    float d = max / -8f;
    float id = d != 0 ? 1f / d : 0f;
    out.set(I16, base, Float.floatToFloat16(d));
    for (int j = 0; j < BLOCK / 2; j++) {
      int lo = nibble(x[from + j] * id);
      int hi = nibble(x[from + BLOCK / 2 + j] * id);
      out.set(ValueLayout.JAVA_BYTE, base + 2 + j, (byte) (lo | hi << 4));
    }
  }

  /** C's roundf: halves away from zero (Math.round sends −2.5 to −2). */
  private static int roundHalfAway(float v) {
    return v < 0 ? -Math.round(-v) : Math.round(v);
  }

  /** ggml's 4-bit code: truncate x + 8.5 toward zero as an int8, then clamp to 15. */
  private static int nibble(float scaled) {
    return Math.min(15, (byte) (int) (scaled + 8.5f));
  }

  /** A {@code [rows, in]} matrix as blocks of {@code format}; rows are quantized in parallel. */
  public static HostTensor quantize(HostTensor t, DType format, Arena arena) {
    if (format != DType.Q8_0 && format != DType.Q4_0) {
      throw new IllegalArgumentException(format + " is not a block format");
    }
    if (t.shape().length != 2) {
      throw new IllegalArgumentException("only matrices are quantized, got " + t.shapeString());
    }
    int rows = t.dim(0);
    int in = t.dim(1);
    if (in % BLOCK != 0) {
      throw new IllegalArgumentException(
          format
              + " needs rows of whole 32-weight blocks: a "
              + t.shapeString()
              + " matrix has rows of "
              + in);
    }
    long rowBytes = format.byteSize(in);
    // Huge pages: faulting and zeroing 4 KB pages one by one was a quarter of a Q8_0 load.
    MemorySegment out = HugePageMemory.allocate(rowBytes * rows, arena);
    IntStream.range(0, rows)
        .parallel()
        .forEach(
            r -> {
              float[] row = t.toFloats((long) r * in, in);
              if (VectorQuantizer.available()) {
                if (format == DType.Q8_0) {
                  VectorQuantizer.q8Row(row, in, out, r * rowBytes);
                } else {
                  VectorQuantizer.q4Row(row, in, out, r * rowBytes);
                }
                return;
              }
              for (int b = 0; b < in / BLOCK; b++) {
                long base = r * rowBytes + b * format.byteSize(BLOCK);
                if (format == DType.Q8_0) {
                  quantizeQ8(row, b * BLOCK, out, base);
                } else {
                  quantizeQ4(row, b * BLOCK, out, base);
                }
              }
            });
    return new HostTensor(format, t.shape(), out);
  }
}
