package dev.cairn.worker.backend.cpu;

import java.util.function.Supplier;

/**
 * The copy of a matmul's activations that a batched kernel reads (a heap copy, a tile-order copy,
 * the tokens transposed into the lanes), made by each compute thread for itself, in its own
 * scratch, the first time it runs a range of the call.
 *
 * <p>One copy made by the calling thread before the hand-off kept the other cores waiting while it
 * was written, and every call invalidated the lines they had read of the last one: a 128-token 896
 * × 896 BF16 matmul spent 12–15% of its time there (166–177 GFMA/s on two threads against 191–202
 * with the copy left out), where a thread copies the same 458 KB within its own caches in about 7
 * µs. With a copy per thread: 176–184 against 155–167 GFMA/s (Q8_0 162–172 against 152–161,
 * `MatmulBench`, builds alternated). In the engine, whose activations are freshly written by the
 * step's thread and so cross between cores either way, less: 128-token prefills about 4% faster.
 */
final class LocalActivations {

  private final CpuThreadPool pool;
  private final Supplier<float[]> copy;
  // One slot per compute thread, each written only by its own thread.
  private final float[][] copies;

  /** {@code copy} makes the calling thread's copy, in that thread's scratch. */
  LocalActivations(CpuThreadPool pool, Supplier<float[]> copy) {
    this.pool = pool;
    this.copy = copy;
    this.copies = new float[pool.threads()][];
  }

  /** This thread's copy, made on its first call. */
  float[] get() {
    int slot = pool.slotOfCurrentThread();
    float[] a = copies[slot];
    if (a == null) {
      a = copy.get();
      copies[slot] = a;
    }
    return a;
  }
}
