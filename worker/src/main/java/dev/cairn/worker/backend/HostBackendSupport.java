package dev.cairn.worker.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory handling shared by the host (CPU) backends: weights stay where they are (mapped file);
 * each F32 buffer gets its own automatic arena, so a buffer the executor drops (a workspace
 * outgrown) is freed by the GC rather than held until close.
 */
public abstract class HostBackendSupport implements Backend {

  @Override
  public DeviceTensor upload(HostTensor weight) {
    return weight;
  }

  @Override
  public DeviceTensor allocate(int... shape) {
    return HostTensor.allocateF32(Arena.ofAuto(), shape);
  }

  /** F32 or BF16, one row after another, each with its own automatic arena as {@link #allocate}. */
  @Override
  public DeviceTensor allocateKvCache(int rows, int kvHeads, int headDim, DType dtype) {
    return switch (dtype) {
      case F32 -> allocate(rows, kvHeads * headDim);
      case BF16 -> HostTensor.allocate(Arena.ofAuto(), DType.BF16, rows, kvHeads * headDim);
      default -> throw new IllegalArgumentException("a KV cache is F32 or BF16, not " + dtype);
    };
  }

  @Override
  public void write(DeviceTensor dst, float[] src) {
    MemorySegment.copy(src, 0, host(dst).segment(), HostTensor.F32, 0, src.length);
  }

  @Override
  public float[] read(DeviceTensor src, long offset, int n) {
    return host(src).toFloats(offset, n);
  }

  /**
   * Rows of the table by token id; F32 rows are copied whole, others widened element by element.
   */
  @Override
  public void embed(DeviceTensor table, int[] ids, DeviceTensor out) {
    HostTensor tab = host(table);
    HostTensor o = host(out);
    int h = tab.dim(1);
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] < 0 || ids[t] >= tab.dim(0)) {
        throw new IllegalArgumentException(
            "token id " + ids[t] + " outside [0, " + tab.dim(0) + ")");
      }
      if (tab.dtype() == DType.F32) {
        MemorySegment.copy(
            tab.segment(), (long) ids[t] * h * 4, o.segment(), (long) t * h * 4, h * 4L);
      } else {
        for (int i = 0; i < h; i++) {
          o.setFloat((long) t * h + i, tab.getFloat((long) ids[t] * h + i));
        }
      }
    }
  }

  /** Casts to the host tensor type, with a clear error for a foreign tensor. */
  protected static HostTensor host(DeviceTensor t) {
    if (t instanceof HostTensor h) {
      return h;
    }
    throw new IllegalArgumentException("tensor " + t + " does not live in host memory");
  }

  /** Elements in one row: the product of every dimension but the first. */
  protected static int rowLength(DeviceTensor t) {
    int[] s = t.shape();
    int n = 1;
    for (int i = 1; i < s.length; i++) {
      n *= s[i];
    }
    return n;
  }

  /** Nothing to release: buffers are freed by the GC once unreachable. */
  @Override
  public void close() {}
}
