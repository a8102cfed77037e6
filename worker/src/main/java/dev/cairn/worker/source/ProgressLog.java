package dev.cairn.worker.source;

import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/** Logs download progress every 5 percentage points or every 10 seconds, whichever comes first. */
final class ProgressLog {

  private static final Logger LOG = Logger.getLogger(ProgressLog.class);
  private static final double STEP = 0.05;
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final String what;
  private final LoadProgress progress;
  private final LongSupplier nanoClock;
  private double lastRatio = -1;
  private long lastNanos;

  ProgressLog(String what, LoadProgress progress, LongSupplier nanoClock) {
    this.what = what;
    this.progress = progress;
    this.nanoClock = nanoClock;
    this.lastNanos = nanoClock.getAsLong();
  }

  /** Called after each chunk; returns true when it logged (for tests). */
  boolean update() {
    double ratio = progress.ratio();
    long now = nanoClock.getAsLong();
    if (lastRatio >= 0 && ratio - lastRatio < STEP && now - lastNanos < INTERVAL_NANOS) {
      return false;
    }
    lastRatio = ratio;
    lastNanos = now;
    LOG.infof(
        "downloading %s: %d%% (%s of %s)",
        what, (int) Math.floor(ratio * 100), mib(progress.bytesDone()), mib(progress.bytesTotal()));
    return true;
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
