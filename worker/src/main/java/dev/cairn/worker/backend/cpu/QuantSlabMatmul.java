package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.TiledMatmul.Operands;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Batched steps (prefill, many streams) on Q8_0 / Q4_0 weights: each block of 16 rows is widened
 * once into an F32 scratch that stays in cache, then {@link F32Matmul}'s tiles run over it for
 * every token. The quantized tiles widen each weight vector once per 4 tokens; here once per step,
 * so the multiply-adds run at the F32 kernel's rate. Widening is exact (a code times an F16 scale
 * fits a float), so the result equals the reference on the dequantized weights within rounding.
 */
final class QuantSlabMatmul {

  /** Below this many tokens the quantized tiles win: widening a slab costs a pass of its own. */
  static final int MIN_TOKENS = 8;

  private static final int ROWS = 16;
  private static final int L = F.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Per compute thread, the widened row block: reused across matmuls, grown when needed. */
  private static final ThreadLocal<MemorySegment> SCRATCH =
      ThreadLocal.withInitial(() -> MemorySegment.NULL);

  private QuantSlabMatmul() {}

  /** Rows {@code [r0, r1)} of the output for all {@code tokens}; {@code q.w()} holds blocks. */
  static void multiply(DType format, Operands q, int tokens, int r0, int r1) {
    int in = q.in();
    long rowBytes = (long) in * Float.BYTES;
    MemorySegment scratch = scratch(ROWS * rowBytes);
    for (int rb = r0; rb < r1; rb += ROWS) {
      int n = Math.min(ROWS, r1 - rb);
      for (int i = 0; i < n; i++) {
        widenRow(format, q.w(), rb + i, in, scratch, i * rowBytes);
      }
      // Row r of this block is output column rb + r: shift the output and bias by rb columns.
      long shift = (long) rb * Float.BYTES;
      MemorySegment bias = q.bias() == null ? null : q.bias().asSlice(shift);
      Operands f =
          Operands.of(q.x(), q.x(), scratch, bias, in, L, q.outDim(), q.out().asSlice(shift));
      F32Matmul.TILES.multiply(f, tokens, 0, n);
    }
  }

  private static MemorySegment scratch(long bytes) {
    MemorySegment s = SCRATCH.get();
    if (s.byteSize() < bytes) {
      s = Arena.ofAuto().allocate(bytes, 64);
      SCRATCH.set(s);
    }
    return s;
  }

  /** Row {@code r} of the blocks as F32 at byte {@code dst} of {@code out}. */
  private static void widenRow(
      DType format, MemorySegment w, int r, int in, MemorySegment out, long dst) {
    int blocks = in / QuantBlocks.BLOCK;
    long blockBytes = format.byteSize(QuantBlocks.BLOCK);
    long row = (long) r * blocks * blockBytes;
    for (int b = 0; b < blocks; b++) {
      long base = row + b * blockBytes;
      long o = dst + (long) b * QuantBlocks.BLOCK * Float.BYTES;
      FloatVector d = FloatVector.broadcast(F, QuantBlocks.scale(w, base));
      if (format == DType.Q8_0) {
        for (int c = 0; c < QuantBlocks.BLOCK; c += L) {
          QuantLoads.q8(w, base + 2 + c).mul(d).intoMemorySegment(out, o + c * 4L, LE);
        }
      } else {
        for (int p = 0; p < QuantBlocks.BLOCK / 2; p += L) {
          IntVector packed = QuantLoads.packed(w, base + 2 + p);
          QuantLoads.low(packed).mul(d).intoMemorySegment(out, o + p * 4L, LE);
          QuantLoads.high(packed).mul(d).intoMemorySegment(out, o + (16 + p) * 4L, LE);
        }
      }
    }
  }
}
