package dev.cairn.operator.autoscaler;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One pod's scrape: its summed ongoing requests, or why there is no sample. A failure is never zero
 * load.
 */
public record ScrapeResult(String podName, OptionalDouble ongoingRequests, String failure) {

  /** Exactly one of value and failure is present. */
  public ScrapeResult {
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(ongoingRequests, "ongoingRequests");
    if (ongoingRequests.isPresent() == (failure != null)) {
      throw new IllegalArgumentException("a scrape result has either a value or a failure");
    }
  }

  /** A successful scrape. */
  public static ScrapeResult of(String podName, double ongoingRequests) {
    return new ScrapeResult(podName, OptionalDouble.of(ongoingRequests), null);
  }

  /** A scrape that yielded no sample. */
  public static ScrapeResult failed(String podName, String failure) {
    return new ScrapeResult(podName, OptionalDouble.empty(), failure);
  }
}
