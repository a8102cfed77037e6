package dev.cairn.operator.autoscaler;

import java.time.Instant;
import java.util.Objects;

/** One scrape of one replica: its ongoing requests at {@code time}. */
public record MetricSample(String podName, Instant time, double ongoingRequests) {

  /** Rejects samples that would corrupt an average (NaN, infinite, negative). */
  public MetricSample {
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(time, "time");
    if (!Double.isFinite(ongoingRequests) || ongoingRequests < 0) {
      throw new IllegalArgumentException(
          "ongoingRequests of pod " + podName + " must be finite and >= 0, got " + ongoingRequests);
    }
  }
}
