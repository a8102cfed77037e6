package dev.cairn.operator.autoscaler;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One scrape of one replica: its ongoing requests at {@code time}, and the other signals it
 * exported (counters as their raw value).
 */
public record MetricSample(
    String podName, Instant time, double ongoingRequests, Map<Signal, Double> signals) {

  /** A sample of ongoing requests alone. */
  public MetricSample(String podName, Instant time, double ongoingRequests) {
    this(podName, time, ongoingRequests, Map.of());
  }

  /** Rejects samples that would corrupt an average (NaN, infinite, negative). */
  public MetricSample {
    signals = Map.copyOf(signals);
    signals.forEach(
        (signal, v) -> {
          if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(
                signal.text() + " of pod " + podName + " must be finite and >= 0, got " + v);
          }
        });
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(time, "time");
    if (!Double.isFinite(ongoingRequests) || ongoingRequests < 0) {
      throw new IllegalArgumentException(
          "ongoingRequests of pod " + podName + " must be finite and >= 0, got " + ongoingRequests);
    }
  }
}
