package dev.cairn.worker.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded load on real workers, as a client would put it on them: a fixed number of OpenAI requests
 * kept in flight (each re-submitted when it ends) until {@link #stop()} or a deadline. The bodies
 * are cycled through, the workers taken in turn; responses, streamed or not, are read to the end.
 */
public final class CompletionLoad implements AutoCloseable {
  /** One request: a path such as {@code /v1/completions} and its JSON body. */
  public record Request(String path, String json) {}

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<URI> workers;
  private final List<Request> requests;
  private final Instant deadline;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
  private final AtomicLong failed = new AtomicLong();
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  private CompletionLoad(List<URI> workers, List<Request> requests, Duration limit) {
    this.workers = List.copyOf(workers);
    this.requests = List.copyOf(requests);
    this.deadline = Instant.now().plus(limit);
  }

  /**
   * Starts {@code concurrency} requests at once against {@code workers} (base URIs). Nothing is
   * submitted after {@code limit}, whether or not the test called {@link #stop()}.
   */
  public static CompletionLoad start(
      List<URI> workers, List<Request> requests, int concurrency, Duration limit) {
    if (workers.isEmpty() || requests.isEmpty() || concurrency < 1) {
      throw new IllegalArgumentException("need workers, requests and concurrency >= 1");
    }
    CompletionLoad load = new CompletionLoad(workers, requests, limit);
    for (int i = 0; i < concurrency; i++) {
      load.submit();
    }
    return load;
  }

  /** A streamed completion of {@code maxTokens} tokens that does not stop at end-of-sequence. */
  public static Request longStreamingCompletion(String model, int maxTokens) {
    return new Request(
        "/v1/completions",
        """
        {"model": "%s", "prompt": "ROMEO:", "max_tokens": %d, "stream": true,
         "ignore_eos": true, "temperature": 0.8, "seed": 7}"""
            .formatted(model, maxTokens));
  }

  private void submit() {
    if (stopped || Instant.now().isAfter(deadline)) {
      return;
    }
    int n = next.getAndIncrement();
    Request r = requests.get(n % requests.size());
    URI base = workers.get(n % workers.size());
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + r.path()))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(r.json()))
            .build();
    CompletableFuture<HttpResponse<Void>> f =
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    inFlight.add(f);
    f.whenComplete(
        (response, error) -> {
          inFlight.remove(f);
          if (error != null) {
            failed.incrementAndGet();
          } else {
            byStatus
                .computeIfAbsent(response.statusCode(), s -> new AtomicLong())
                .incrementAndGet();
          }
          submit();
        });
  }

  /** Requests answered 200 and read to the end. */
  public long completed() {
    AtomicLong ok = byStatus.get(200);
    return ok == null ? 0 : ok.get();
  }

  /** Requests that failed without an HTTP answer (connection refused, timeout). */
  public long failed() {
    return failed.get();
  }

  /** How many requests got each HTTP status. */
  public Map<Integer, Long> statuses() {
    Map<Integer, Long> out = new TreeMap<>();
    byStatus.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Stops submitting and waits (at most {@code timeout}) for the requests in flight to end. */
  public void stop(Duration timeout) {
    stopped = true;
    List<CompletableFuture<?>> pending = new ArrayList<>(inFlight);
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // a request that fails or outlives the wait is counted or cancelled by close()
    }
  }

  /** Stops submitting; requests still in flight are cancelled. */
  @Override
  public void close() {
    stopped = true;
    // shutdownNow, not close: close would wait for every stream to end.
    http.shutdownNow();
  }
}
