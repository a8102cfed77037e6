package dev.cairn.operator.usage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * POSTs a report to the configured URL on a thread of its own: each attempt bounded by a timeout,
 * at most {@code attempts} of them with doubling backoff. A report offered while the previous one
 * is still being sent is dropped (the next interval brings a fresher one), so a slow or dead
 * receiver costs one thread and never a queue.
 */
public final class UsageSender implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UsageSender.class);

  private final URI url;
  private final Duration timeout;
  private final int attempts;
  private final Duration backoff;
  private final HttpClient client;
  private final ExecutorService thread;
  private final AtomicBoolean inFlight = new AtomicBoolean();

  /**
   * @param attempts tries per report, at least 1
   * @param backoff wait after the first failed try, doubled after each further one
   */
  public UsageSender(URI url, Duration timeout, int attempts, Duration backoff) {
    if (attempts < 1) {
      throw new IllegalArgumentException("cairn.usage-stats.send-attempts must be >= 1");
    }
    this.url = url;
    this.timeout = timeout;
    this.attempts = attempts;
    this.backoff = backoff;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.thread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("cairn-usage-sender").factory());
  }

  /** Queues {@code json} for sending; false (dropped) while a send is still under way. */
  public boolean offer(String json) {
    if (!inFlight.compareAndSet(false, true)) {
      LOG.debugf("usage report to %s dropped: the previous one is still being sent", url);
      return false;
    }
    thread.execute(
        () -> {
          try {
            send(json);
          } finally {
            inFlight.set(false);
          }
        });
    return true;
  }

  private void send(String json) {
    Duration wait = backoff;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      String failure = attempt(json);
      if (failure == null) {
        return;
      }
      if (attempt == attempts || failure.startsWith("HTTP 4")) {
        LOG.infof("usage report not sent to %s after %d attempt(s): %s", url, attempt, failure);
        return;
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      wait = wait.multipliedBy(2);
    }
  }

  // Null on success, else why; a 4xx other than 429 is final (the receiver refuses this body).
  private String attempt(String json) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    try {
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) {
        return null;
      }
      return status / 100 == 4 && status != 429 ? "HTTP 4xx (" + status + ")" : "status " + status;
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    client.shutdownNow();
  }
}
