package dev.cairn.worker.backend.cpu;

/**
 * A float array per thread for a kernel's working copies (widened slabs, transposed or heap-copied
 * activations): reused from step to step, grown (at least doubled) when a larger step comes, so a
 * prefill allocates once rather than per matmul.
 */
final class ScratchFloats {

  private final ThreadLocal<float[]> slot = ThreadLocal.withInitial(() -> new float[0]);

  /** This thread's array, at least {@code n} long; its contents are whatever it last held. */
  float[] atLeast(int n) {
    float[] a = slot.get();
    if (a.length < n) {
      a = new float[Math.max(n, 2 * a.length)];
      slot.set(a);
    }
    return a;
  }
}
