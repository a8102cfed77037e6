package dev.cairn.worker.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dedicated pool of compute threads (one per core) that splits a range into contiguous slabs, one
 * per thread, so each thread streams its own part of a weight matrix. The calling thread takes the
 * first slab itself.
 */
final class CpuThreadPool implements AutoCloseable {

  /** Work over the half-open range {@code [from, to)}. */
  @FunctionalInterface
  interface RangeTask {
    void run(int from, int to);
  }

  private final int threads;
  private final ExecutorService pool;

  CpuThreadPool(int threads) {
    this.threads = Math.max(1, threads);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        this.threads == 1
            ? null
            : Executors.newFixedThreadPool(
                this.threads - 1,
                r -> {
                  Thread t = new Thread(r, "cairn-cpu-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
  }

  int threads() {
    return threads;
  }

  /**
   * Runs {@code task} over {@code [0, n)} split into at most {@code threads} slabs of at least
   * {@code minPerThread} items; slab bounds are multiples of {@code align} (except the last end).
   */
  void parallelFor(int n, int minPerThread, int align, RangeTask task) {
    int parts = Math.min(threads, Math.max(1, n / Math.max(1, minPerThread)));
    if (parts <= 1 || pool == null) {
      task.run(0, n);
      return;
    }
    int per = ((n + parts - 1) / parts + align - 1) / align * align;
    List<Future<?>> futures = new ArrayList<>(parts - 1);
    for (int p = 1; p < parts; p++) {
      int from = Math.min(n, p * per);
      int to = Math.min(n, from + per);
      if (from < to) {
        futures.add(pool.submit(() -> task.run(from, to)));
      }
    }
    task.run(0, Math.min(n, per));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for compute threads", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("compute thread failed: " + e.getCause(), e.getCause());
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
