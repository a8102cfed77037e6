package dev.cairn.operator.autoscaler;

import dev.cairn.api.MetricNames;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads {@code cairn_ongoing_requests}, and the other {@link Signal}s a pod exports, from each
 * ready pod's {@code /metrics} with the JDK client.
 *
 * <p>All pods are requested at once and each exchange, body included, is bounded by the timeout, so
 * one slow pod costs at most one timeout and never delays the others' results.
 */
public final class MetricsScraper implements MetricsSource, AutoCloseable {
  private final HttpClient client;
  private final Duration timeout;
  private final String metricName;

  /** Scrapes {@link MetricNames#ONGOING_REQUESTS} with a client of its own. */
  public MetricsScraper(Duration timeout) {
    this(
        HttpClient.newBuilder().connectTimeout(timeout).build(),
        timeout,
        MetricNames.ONGOING_REQUESTS);
  }

  /** Scrapes {@code metricName} through {@code client}, each pod bounded by {@code timeout}. */
  public MetricsScraper(HttpClient client, Duration timeout, String metricName) {
    this.client = Objects.requireNonNull(client, "client");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.metricName = Objects.requireNonNull(metricName, "metricName");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("scrape timeout must be positive, got " + timeout);
    }
  }

  /** Aborts scrapes in flight and releases the client's connections (operator shutdown). */
  @Override
  public void close() {
    client.shutdownNow();
  }

  @Override
  public List<ScrapeResult> scrape(List<ScrapeTarget> targets) {
    List<CompletableFuture<ScrapeResult>> pending = new ArrayList<>(targets.size());
    for (ScrapeTarget target : targets) {
      pending.add(scrapeOne(target));
    }
    List<ScrapeResult> results = new ArrayList<>(pending.size());
    for (CompletableFuture<ScrapeResult> f : pending) {
      results.add(f.join());
    }
    return results;
  }

  private CompletableFuture<ScrapeResult> scrapeOne(ScrapeTarget target) {
    HttpRequest request =
        HttpRequest.newBuilder(target.metricsUri()).timeout(timeout).GET().build();
    CompletableFuture<HttpResponse<String>> exchange;
    try {
      exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          ScrapeResult.failed(target.podName(), "request failed: " + e.getMessage()));
    }
    // orTimeout covers the whole exchange; HttpRequest.timeout alone stops at the headers.
    return exchange
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, error) -> {
              if (error != null) {
                exchange.cancel(true);
                return ScrapeResult.failed(target.podName(), describe(error));
              }
              return toResult(target.podName(), response);
            });
  }

  private ScrapeResult toResult(String pod, HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      return ScrapeResult.failed(pod, "HTTP " + response.statusCode());
    }
    try {
      ScrapeResult ongoing = sum(pod, PrometheusTextParser.parse(response.body(), metricName));
      if (ongoing.failure() != null) {
        return ongoing;
      }
      return ScrapeResult.of(
          pod, ongoing.ongoingRequests().getAsDouble(), otherSignals(response.body()));
    } catch (PrometheusTextParser.MetricsFormatException e) {
      return ScrapeResult.failed(pod, "malformed metrics: " + e.getMessage());
    }
  }

  /**
   * The other signals the pod exports, each summed over its series; one the pod does not export
   * (engine metrics off) or with an unusable series is left out, so that pod counts as unobserved
   * for it and never as idle.
   */
  private static Map<Signal, Double> otherSignals(String body) {
    Map<Signal, Double> values = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      if (signal == Signal.ONGOING_REQUESTS) {
        continue;
      }
      List<PrometheusTextParser.Series> series =
          PrometheusTextParser.parse(body, signal.metricName());
      double total = 0;
      boolean usable = !series.isEmpty();
      for (PrometheusTextParser.Series s : series) {
        usable &= Double.isFinite(s.value()) && s.value() >= 0;
        total += s.value();
      }
      if (usable) {
        values.put(signal, total);
      }
    }
    return values;
  }

  // A pod's ongoing requests is the sum of its series; any unusable series voids the sample.
  private ScrapeResult sum(String pod, List<PrometheusTextParser.Series> series) {
    if (series.isEmpty()) {
      return ScrapeResult.failed(pod, metricName + " not exported");
    }
    double total = 0;
    for (PrometheusTextParser.Series s : series) {
      if (!Double.isFinite(s.value()) || s.value() < 0) {
        return ScrapeResult.failed(pod, metricName + s.labels() + " is " + s.value());
      }
      total += s.value();
    }
    return ScrapeResult.of(pod, total);
  }

  private String describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
