package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** Row-wise kernels over F32 segments (element offsets), each with a vector and a scalar path. */
final class CpuElementwise {

  private CpuElementwise() {}

  /** out[r,:] = x[r,:] * weight / rms(x[r,:]) for one row of length n starting at element off. */
  static void rmsNormRow(
      MemorySegment x,
      MemorySegment w,
      boolean wBf16,
      float eps,
      long off,
      int n,
      MemorySegment out,
      boolean vector) {
    int i = 0;
    float ss = 0;
    if (vector) {
      FloatVector acc = FloatVector.zero(F);
      for (; i + F.length() <= n; i += F.length()) {
        FloatVector v = load(x, off + i);
        acc = v.fma(v, acc);
      }
      ss = sum(acc);
    }
    for (; i < n; i++) {
      float v = x.getAtIndex(LE, off + i);
      ss += v * v;
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    i = 0;
    if (vector && !wBf16) {
      for (; i + F.length() <= n; i += F.length()) {
        load(x, off + i)
            .mul(inv)
            .mul(load(w, i))
            .intoMemorySegment(out, (off + i) * 4, ByteOrder.LITTLE_ENDIAN);
      }
    }
    for (; i < n; i++) {
      float wi = wBf16 ? VectorSupport.bf16At(w, i) : w.getAtIndex(LE, i);
      out.setAtIndex(LE, off + i, x.getAtIndex(LE, off + i) * inv * wi);
    }
  }

  /** out[i] = silu(gate[i]) * up[i] over elements [from, to). */
  static void swiglu(
      MemorySegment g, MemorySegment u, MemorySegment out, long from, long to, boolean vector) {
    long i = from;
    if (vector) {
      for (; i + F.length() <= to; i += F.length()) {
        FloatVector a = load(g, i);
        FloatVector silu = a.div(VectorSupport.exp(a.neg()).add(1f));
        silu.mul(load(u, i)).intoMemorySegment(out, i * 4, ByteOrder.LITTLE_ENDIAN);
      }
    }
    for (; i < to; i++) {
      float a = g.getAtIndex(LE, i);
      out.setAtIndex(LE, i, (float) (a / (1 + Math.exp(-a))) * u.getAtIndex(LE, i));
    }
  }

  /** x[i] += y[i] over elements [from, to). */
  static void add(MemorySegment x, MemorySegment y, long from, long to, boolean vector) {
    long i = from;
    if (vector) {
      for (; i + F.length() <= to; i += F.length()) {
        load(x, i).add(load(y, i)).intoMemorySegment(x, i * 4, ByteOrder.LITTLE_ENDIAN);
      }
    }
    for (; i < to; i++) {
      x.setAtIndex(LE, i, x.getAtIndex(LE, i) + y.getAtIndex(LE, i));
    }
  }

  /**
   * Rotary embedding of one head at element {@code base}: its halves rotated by the angles of the
   * table row at element {@code tableRow} ({@code half} cosines, then {@code half} sines). The
   * vector lanes do the scalar path's multiplies and adds in the same order, so both give the same
   * bits.
   */
  static void ropeHead(
      MemorySegment x, long base, MemorySegment cs, long tableRow, int half, boolean vector) {
    int i = 0;
    if (vector) {
      for (; i + F.length() <= half; i += F.length()) {
        FloatVector cos = load(cs, tableRow + i);
        FloatVector sin = load(cs, tableRow + half + i);
        FloatVector a = load(x, base + i);
        FloatVector b = load(x, base + half + i);
        a.mul(cos).sub(b.mul(sin)).intoMemorySegment(x, (base + i) * 4, ByteOrder.LITTLE_ENDIAN);
        b.mul(cos)
            .add(a.mul(sin))
            .intoMemorySegment(x, (base + half + i) * 4, ByteOrder.LITTLE_ENDIAN);
      }
    }
    for (; i < half; i++) {
      float cos = cs.getAtIndex(LE, tableRow + i);
      float sin = cs.getAtIndex(LE, tableRow + half + i);
      float a = x.getAtIndex(LE, base + i);
      float b = x.getAtIndex(LE, base + half + i);
      x.setAtIndex(LE, base + i, a * cos - b * sin);
      x.setAtIndex(LE, base + half + i, b * cos + a * sin);
    }
  }

  private static FloatVector load(MemorySegment s, long element) {
    return FloatVector.fromMemorySegment(F, s, element * 4, ByteOrder.LITTLE_ENDIAN);
  }
}
