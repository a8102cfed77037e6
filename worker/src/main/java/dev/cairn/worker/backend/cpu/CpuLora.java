package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.bf16;
import static dev.cairn.worker.backend.cpu.VectorSupport.bf16At;
import static dev.cairn.worker.backend.cpu.VectorSupport.f32;
import static dev.cairn.worker.backend.cpu.VectorSupport.f32At;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The LoRA delta on the CPU, one adapter (slot) at a time so its A and B stream once per step, in
 * two passes as punica's kernels do: shrink ({@code tmp[i, r] = x[row_i] · Aᵀ}, split over row×rank
 * items) then expand ({@code out[row_i, :] += scale · tmp[i] · Bᵀ}, split over output column slabs,
 * each row's accumulator held in registers across the rank). A and Bᵀ are F32 or BF16 (a BF16
 * checkpoint's adapters stay BF16, halving their bytes per step; {@link CpuBackend#upload} widens
 * F16 ones), widened in registers in order; x, the shrunk rows and out are F32.
 */
final class CpuLora {

  private final CpuThreadPool pool;
  private final boolean vector;
  private final long parallelMinWork;

  CpuLora(CpuThreadPool pool, boolean vector, long parallelMinWork) {
    this.pool = pool;
    this.vector = vector;
    this.parallelMinWork = parallelMinWork;
  }

  /** out[t] += scale_s · bT_s · (a_s · x[t]) for the rows of each slot; accumulates in F32. */
  void run(HostTensor x, LoraBatch batch, HostTensor out) {
    int[][] rowsBySlot = batch.rowsBySlot();
    for (int s = 0; s < batch.slots(); s++) {
      int[] rows = rowsBySlot[s];
      if (rows.length == 0) {
        continue;
      }
      HostTensor a = weights(batch.a()[s], "lora_A");
      HostTensor bT = weights(batch.bT()[s], "lora_B transposed");
      int r = a.dim(0);
      int in = a.dim(1);
      int outDim = bT.dim(1);
      if (in != rowLength(x) || outDim != rowLength(out)) {
        throw new IllegalArgumentException(
            "slot "
                + s
                + ": lora_A "
                + a.shapeString()
                + " and lora_B transposed "
                + bT.shapeString()
                + " do not fit x "
                + x.shapeString()
                + " and out "
                + out.shapeString());
      }
      float[] tmp = new float[rows.length * r];
      Slot slot =
          new Slot(
              x.segment(),
              a.segment(),
              a.dtype() == DType.BF16,
              bT.segment(),
              bT.dtype() == DType.BF16,
              out.segment(),
              rows,
              r,
              in,
              outDim,
              batch.scale()[s],
              tmp);
      split((long) rows.length * r * in, rows.length * r, 1, (i0, i1) -> shrink(slot, i0, i1));
      split((long) rows.length * r * outDim, outDim, F.length(), (c0, c1) -> expand(slot, c0, c1));
    }
  }

  /**
   * One slot's operands; tmp {@code [rows, r]} carries the shrunk rows to the expand pass. aBf16
   * and bBf16: whether A and Bᵀ hold BF16 (else F32).
   */
  private record Slot(
      MemorySegment x,
      MemorySegment a,
      boolean aBf16,
      MemorySegment bT,
      boolean bBf16,
      MemorySegment out,
      int[] rows,
      int r,
      int in,
      int outDim,
      float scale,
      float[] tmp) {}

  private void split(long work, int n, int align, CpuThreadPool.RangeTask task) {
    if (work < parallelMinWork) {
      task.run(0, n);
    } else {
      pool.parallelFor(n, Math.max(align, 4), align, task);
    }
  }

  /** tmp[i, j] = x[rows[i]] · a[j] for items i·r + j in [from, to). */
  private void shrink(Slot s, int from, int to) {
    int vecEnd = vector ? s.in - s.in % F.length() : 0;
    for (int item = from; item < to; item++) {
      int i = item / s.r;
      int j = item % s.r;
      long xOff = (long) s.rows[i] * s.in;
      long aOff = (long) j * s.in;
      float total = 0;
      if (vecEnd > 0) {
        FloatVector acc = FloatVector.zero(F);
        if (s.aBf16) {
          for (int k = 0; k < vecEnd; k += F.length()) {
            acc = xf(s.x, (xOff + k) * 4).fma(bf16(s.a, (aOff + k) * 2), acc);
          }
        } else {
          for (int k = 0; k < vecEnd; k += F.length()) {
            acc = xf(s.x, (xOff + k) * 4).fma(f32(s.a, (aOff + k) * 4), acc);
          }
        }
        total = sum(acc);
      }
      for (int k = vecEnd; k < s.in; k++) {
        total += s.x.getAtIndex(LE, xOff + k) * weight(s.a, s.aBf16, aOff + k);
      }
      s.tmp[item] = total;
    }
  }

  /** out[rows[i], c] += scale · Σ_j tmp[i, j] · bT[j, c] for columns c in [c0, c1). */
  private void expand(Slot s, int c0, int c1) {
    int vecEnd = vector ? c0 + (c1 - c0) - (c1 - c0) % F.length() : c0;
    for (int i = 0; i < s.rows.length; i++) {
      long outRow = (long) s.rows[i] * s.outDim;
      int tmpRow = i * s.r;
      for (int c = c0; c < vecEnd; c += F.length()) {
        FloatVector acc = FloatVector.zero(F);
        if (s.bBf16) {
          for (int j = 0; j < s.r; j++) {
            acc =
                bf16(s.bT, ((long) j * s.outDim + c) * 2)
                    .fma(FloatVector.broadcast(F, s.tmp[tmpRow + j]), acc);
          }
        } else {
          for (int j = 0; j < s.r; j++) {
            acc =
                f32(s.bT, ((long) j * s.outDim + c) * 4)
                    .fma(FloatVector.broadcast(F, s.tmp[tmpRow + j]), acc);
          }
        }
        long o = (outRow + c) * 4;
        xf(s.out, o).add(acc.mul(s.scale)).intoMemorySegment(s.out, o, ByteOrder.LITTLE_ENDIAN);
      }
      for (int c = vecEnd; c < c1; c++) {
        float acc = 0;
        for (int j = 0; j < s.r; j++) {
          acc += s.tmp[tmpRow + j] * weight(s.bT, s.bBf16, (long) j * s.outDim + c);
        }
        s.out.setAtIndex(LE, outRow + c, s.out.getAtIndex(LE, outRow + c) + s.scale * acc);
      }
    }
  }

  private static float weight(MemorySegment w, boolean bf16, long i) {
    return bf16 ? bf16At(w, i) : f32At(w, i);
  }

  private static HostTensor weights(DeviceTensor t, String what) {
    if (!(t instanceof HostTensor h) || (h.dtype() != DType.F32 && h.dtype() != DType.BF16)) {
      throw new IllegalArgumentException(
          what
              + " must be an F32 or BF16 host tensor (CpuBackend.upload widens F16), got "
              + t.getClass().getSimpleName()
              + " "
              + t.dtype()
              + " "
              + t.shapeString());
    }
    return h;
  }

  private static int rowLength(HostTensor t) {
    int n = 1;
    for (int i = 1; i < t.shape().length; i++) {
      n *= t.dim(i);
    }
    return n;
  }
}
