package dev.cairn.worker.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory handling shared by the host (CPU) backends: weights stay where they are (mapped file), F32
 * buffers come from one shared arena freed on close.
 */
public abstract class HostBackendSupport implements Backend {

  private final Arena arena = Arena.ofShared();

  @Override
  public DeviceTensor upload(HostTensor weight) {
    return weight;
  }

  @Override
  public DeviceTensor allocate(int... shape) {
    return HostTensor.allocateF32(arena, shape);
  }

  /** The arena that owns this backend's buffers. */
  protected Arena arena() {
    return arena;
  }

  @Override
  public void write(DeviceTensor dst, float[] src) {
    MemorySegment.copy(src, 0, host(dst).segment(), HostTensor.F32, 0, src.length);
  }

  @Override
  public float[] read(DeviceTensor src, long offset, int n) {
    return host(src).toFloats(offset, n);
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

  @Override
  public void close() {
    arena.close();
  }
}
