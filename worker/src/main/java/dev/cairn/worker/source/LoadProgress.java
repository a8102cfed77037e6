package dev.cairn.worker.source;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far model loading has come, in bytes; written by the loader thread, read by health checks and
 * metrics from other threads.
 */
public final class LoadProgress {

  private final AtomicLong done = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  private volatile boolean complete;
  private volatile boolean warmingUp;

  /** Sets the number of bytes the whole load will handle. */
  public void setTotalBytes(long bytes) {
    total.set(Math.max(0, bytes));
  }

  /** Adds handled bytes; negative when a partial file is thrown away and fetched again. */
  public void addBytes(long delta) {
    done.addAndGet(delta);
  }

  /** Marks the load as finished: the ratio is 1 from now on. */
  public void markComplete() {
    complete = true;
  }

  /** Marks that the weights are in place and the engine is warming up before it serves. */
  public void markWarmingUp() {
    warmingUp = true;
  }

  /** True once {@link #markWarmingUp()} was called. */
  public boolean isWarmingUp() {
    return warmingUp;
  }

  /** Bytes handled so far. */
  public long bytesDone() {
    return Math.max(0, done.get());
  }

  /** Bytes the load handles in all; 0 while unknown. */
  public long bytesTotal() {
    return total.get();
  }

  /** True once {@link #markComplete()} was called. */
  public boolean isComplete() {
    return complete;
  }

  /** Progress in [0, 1]; exactly 1 only once complete. */
  public double ratio() {
    if (complete) {
      return 1.0;
    }
    long t = total.get();
    if (t <= 0) {
      return 0.0;
    }
    // Stay just below 1 until the last step (verification, rename) is done.
    return Math.min(0.999, (double) bytesDone() / t);
  }
}
