package dev.cairn.worker.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A dedicated group of compute threads (one per core, the calling thread included) that share out a
 * range in contiguous chunks.
 *
 * <p>A decode step runs some hundred short matmuls back to back (a 0.5B model's MLP projection
 * takes ~150 µs on two cores), so a hand-off must cost microseconds: waking a parked thread through
 * an executor queue cost tens to hundreds of microseconds on a shared VM and left two threads
 * barely faster than one. Workers therefore spin on the job slot for a while after their last chunk
 * before they park, and the caller spins (then yields) until every chunk is done — chunks, not
 * workers, so a worker descheduled before it took one is not waited for; an idle pool parks and
 * costs nothing. Each thread takes several chunks from a shared counter rather than one fixed slab,
 * since cores of a shared machine do not run at one speed: with fixed halves the faster thread
 * waited a quarter of the time for the slower.
 */
final class CpuThreadPool implements AutoCloseable {

  /** Work over the half-open range {@code [from, to)}. */
  @FunctionalInterface
  interface RangeTask {
    void run(int from, int to);
  }

  /**
   * How long an idle worker spins for the next job: longer than the gaps between a step's matmuls,
   * shorter than the sampling between steps. Two worker processes sharing two cores: with 2 ms, 35%
   * less throughput than parking at once; with 200 µs, 17% less, while one process alone decodes 6%
   * faster than when parking at once (alternated runs, docs/cpu-engine-performance.md).
   */
  private static final long DEFAULT_SPIN_MICROS = 200;

  /**
   * How long the caller spins for the last chunks before it yields between checks. Spinning longer
   * cost a core-sharing second worker process a quarter of its throughput: the chunk it waits for
   * may be on a thread the other process has preempted.
   */
  private static final long AWAIT_SPIN_NANOS = 20_000;

  private final int threads;
  private final long spinNanos;
  private final Worker[] workers;
  private volatile Job job = new Job(0, null, 0, 1, 1, 1, 0);
  private volatile boolean closed;
  private Thread caller; // the thread inside parallelFor; guarded by this

  /**
   * One parallelFor call, published whole so a late worker never mixes two calls' bounds. Ranges
   * are {@code chunk} items each, or, with {@code chunk} 0, guided: each a {@code 1/divisor} share
   * of what is left (whole {@code align} units), long streams first and short ranges last.
   */
  private record Job(
      long generation,
      RangeTask task,
      int n,
      int chunk,
      int align,
      int divisor,
      int parts,
      AtomicInteger next,
      AtomicInteger done,
      AtomicReference<Throwable> failure) {

    Job(long generation, RangeTask task, int n, int chunk, int align, int divisor, int parts) {
      this(
          generation,
          task,
          n,
          chunk,
          align,
          divisor,
          parts,
          new AtomicInteger(),
          new AtomicInteger(),
          new AtomicReference<>());
    }

    /**
     * Runs ranges until none is left to take. A worker that comes late (descheduled while the
     * others finished) finds none and touches nothing, so nobody waits for it.
     */
    void drain() {
      int from;
      while ((from = next.get()) < n) {
        int to = Math.min(n, from + size(from));
        if (!next.compareAndSet(from, to)) {
          continue;
        }
        try {
          task.run(from, to);
        } catch (Throwable e) {
          // recorded before the range counts as done, so the caller sees it when it sees the end
          failure.compareAndSet(null, e);
        } finally {
          done.addAndGet(to - from);
        }
      }
    }

    private int size(int from) {
      if (chunk > 0) {
        return chunk;
      }
      int share = (n - from + divisor - 1) / divisor;
      return Math.max(align, (share + align - 1) / align * align);
    }

    boolean finished() {
      return done.get() >= n;
    }
  }

  CpuThreadPool(int threads) {
    this(threads, Long.getLong("cairn.cpu.spinMicros", DEFAULT_SPIN_MICROS) * 1000);
  }

  /** With {@code spinNanos}: how long an idle worker spins for the next job before it parks. */
  CpuThreadPool(int threads, long spinNanos) {
    this.threads = Math.max(1, threads);
    this.spinNanos = Math.max(0, spinNanos);
    this.workers = new Worker[this.threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i + 1);
      workers[i].setDaemon(true);
      workers[i].start();
    }
  }

  int threads() {
    return threads;
  }

  /**
   * This thread's slot among the pool's {@link #threads}: a compute thread's index, 0 for the
   * thread calling {@link #parallelFor} (or any other).
   */
  int slotOfCurrentThread() {
    return Thread.currentThread() instanceof Worker w && w.pool() == this ? w.index : 0;
  }

  /**
   * Runs {@code task} over {@code [0, n)} on at most {@code threads} threads, each range at least
   * {@code minPerThread / 4} items (about {@code minPerThread} per thread); range bounds are
   * multiples of {@code align} (except the last end). Calls from several threads take turns; a call
   * from inside a task runs inline. A range that throws fails the call (an {@link
   * IllegalStateException} with it as the cause, or the {@link Error} itself) once every range has
   * run.
   */
  void parallelFor(int n, int minPerThread, int align, RangeTask task) {
    parallelFor(n, minPerThread, align, 0, task);
  }

  /**
   * {@link #parallelFor(int, int, int, RangeTask)} in about {@code chunksPerThread} equal chunks
   * per thread (never below {@code align} items): more, smaller chunks even out the threads' finish
   * where each chunk is long work, at the cost of shorter streams through memory. With 0, guided
   * ranges: each a quarter (two threads) of what is left, so the streams start long and the last
   * ranges, which one thread may finish alone, are one unit. Four equal chunks a thread left a
   * thread idle for up to one at the end of every decode matmul: a 4864 × 896 decode ran at 21–22
   * GFMA/s against 24–26 for a matrix eight times as long; guided, 20.8–25.0 against 16.1–20.3 with
   * equal chunks (three alternated rounds, weights from memory).
   */
  void parallelFor(int n, int minPerThread, int align, int chunksPerThread, RangeTask task) {
    int parts = Math.min(threads, Math.max(1, n / Math.max(1, minPerThread)));
    Thread me = Thread.currentThread();
    if (parts <= 1 || (me instanceof Worker w && w.pool() == this)) {
      task.run(0, n);
      return;
    }
    int a = Math.max(1, align);
    int per = (n + parts - 1) / parts;
    int chunk = chunksPerThread <= 0 ? 0 : Math.max(a, (per / chunksPerThread + a - 1) / a * a);
    int chunks = chunk == 0 ? parts : (n + chunk - 1) / chunk;
    int helpers = Math.min(parts, chunks) - 1;
    synchronized (this) {
      if (caller == me) {
        task.run(0, n);
        return;
      }
      if (closed) {
        throw new IllegalStateException("compute threads are closed");
      }
      caller = me;
      Job j = new Job(job.generation() + 1, task, n, chunk, a, 2 * parts, helpers + 1);
      try {
        job = j;
        for (int i = 0; i < helpers; i++) {
          workers[i].wake();
        }
        j.drain();
        await(j);
      } finally {
        caller = null;
      }
      Throwable failed = j.failure().get();
      if (failed instanceof Error e) {
        throw e;
      } else if (failed != null) {
        throw new IllegalStateException("compute range failed: " + failed, failed);
      }
    }
  }

  /**
   * Until every chunk of {@code j} has run: chunks, not workers, so an idle late one is not
   * awaited.
   */
  private static void await(Job j) {
    long yieldAfter = System.nanoTime() + AWAIT_SPIN_NANOS;
    int spins = 0;
    while (!j.finished()) {
      if ((++spins & 63) != 0 || System.nanoTime() < yieldAfter) {
        Thread.onSpinWait();
      } else {
        // the chunk's thread may have lost its core to another process: offer ours
        Thread.yield();
      }
    }
  }

  /** One compute thread: helps with each job it is counted in. */
  private final class Worker extends Thread {
    private final int index;
    private volatile boolean parked;
    private long seen;

    Worker(int index) {
      super("cairn-cpu-" + index);
      this.index = index;
    }

    CpuThreadPool pool() {
      return CpuThreadPool.this;
    }

    void wake() {
      // pairs with awaitJob: it sets parked, then re-reads the job before parking
      if (parked) {
        LockSupport.unpark(this);
      }
    }

    @Override
    public void run() {
      Job j;
      while ((j = awaitJob()) != null) {
        seen = j.generation();
        if (index >= j.parts()) {
          continue;
        }
        j.drain();
      }
    }

    /** The next job, or null once the pool is closed. */
    private Job awaitJob() {
      long spinUntil = System.nanoTime() + spinNanos;
      int spins = 0;
      while (true) {
        Job j = job;
        if (j.generation() != seen) {
          return j;
        }
        if (closed) {
          return null;
        }
        if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
          continue;
        }
        parked = true;
        if (job.generation() == seen && !closed) {
          LockSupport.park(this);
        }
        parked = false;
        spinUntil = System.nanoTime() + spinNanos;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) {
      LockSupport.unpark(w);
    }
  }
}
