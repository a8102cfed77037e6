package dev.cairn.worker.source;

import java.io.IOException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Runs a hub operation with exponential backoff: I/O failures (including 5xx answers, stalls and
 * hash mismatches) are retried, {@link ModelDownloadException}s are final.
 */
final class Retry {

  /** One attempt of the operation. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws IOException;
  }

  /** Waits between attempts; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final Logger LOG = Logger.getLogger(Retry.class);

  private final HubSettings settings;
  private final Sleeper sleeper;

  Retry(HubSettings settings, Sleeper sleeper) {
    this.settings = settings;
    this.sleeper = sleeper;
  }

  <T> T run(String what, Attempt<T> attempt) {
    IOException last = null;
    for (int n = 1; n <= settings.maxAttempts(); n++) {
      try {
        return attempt.run();
      } catch (IOException e) {
        last = e;
        if (n == settings.maxAttempts()) {
          break;
        }
        Duration wait = settings.backoff(n);
        LOG.warnf(
            "%s failed (attempt %d of %d): %s; retrying in %d ms",
            what, n, settings.maxAttempts(), e.getMessage(), wait.toMillis());
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new ModelDownloadException(what + " was interrupted", ie);
        }
      }
    }
    throw new ModelDownloadException(
        what + " failed after " + settings.maxAttempts() + " attempts: " + last.getMessage(), last);
  }
}
