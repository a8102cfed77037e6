package dev.cairn.worker.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;

/**
 * The scalar fallback for Q8_0 and Q4_0 weights: per block, the dot product with the raw codes,
 * then one multiply by the block's scale.
 */
final class ScalarQuantMatmul {

  private ScalarQuantMatmul() {}

  /** Rows {@code [r0, r1)} of {@code out[T, outDim] = x[T, in] · W[outDim, in]ᵀ (+ bias)}. */
  static void run(
      MemorySegment x,
      MemorySegment w,
      DType format,
      MemorySegment bias,
      int tokens,
      int in,
      int outDim,
      MemorySegment out,
      int r0,
      int r1) {
    int blocks = in / QuantBlocks.BLOCK;
    long blockBytes = format.byteSize(QuantBlocks.BLOCK);
    boolean q8 = format == DType.Q8_0;
    for (int t = 0; t < tokens; t++) {
      long xRow = (long) t * in;
      for (int r = r0; r < r1; r++) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
          long base = ((long) r * blocks + b) * blockBytes;
          long xb = xRow + (long) b * QuantBlocks.BLOCK;
          float dot = q8 ? dotQ8(x, xb, w, base) : dotQ4(x, xb, w, base);
          sum += QuantBlocks.scale(w, base) * dot;
        }
        if (bias != null) {
          sum += bias.getAtIndex(VectorSupport.LE, r);
        }
        out.setAtIndex(VectorSupport.LE, (long) t * outDim + r, sum);
      }
    }
  }

  private static float dotQ8(MemorySegment x, long xb, MemorySegment w, long base) {
    float dot = 0;
    for (int j = 0; j < QuantBlocks.BLOCK; j++) {
      dot += x.getAtIndex(VectorSupport.LE, xb + j) * w.get(JAVA_BYTE, base + 2 + j);
    }
    return dot;
  }

  private static float dotQ4(MemorySegment x, long xb, MemorySegment w, long base) {
    float dot = 0;
    for (int j = 0; j < QuantBlocks.BLOCK / 2; j++) {
      int packed = w.get(JAVA_BYTE, base + 2 + j) & 0xFF;
      dot += x.getAtIndex(VectorSupport.LE, xb + j) * ((packed & 0x0F) - 8);
      dot += x.getAtIndex(VectorSupport.LE, xb + 16 + j) * ((packed >>> 4) - 8);
    }
    return dot;
  }
}
