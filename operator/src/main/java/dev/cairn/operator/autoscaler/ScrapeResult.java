package dev.cairn.operator.autoscaler;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One pod's scrape: its summed ongoing requests, or why there is no sample. A failure is never zero
 * load.
 *
 * @param signals the other signals the pod exports (a signal it does not export is absent)
 */
public record ScrapeResult(
    String podName, OptionalDouble ongoingRequests, String failure, Map<Signal, Double> signals) {

  /** Exactly one of value and failure is present. */
  public ScrapeResult {
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(ongoingRequests, "ongoingRequests");
    if (ongoingRequests.isPresent() == (failure != null)) {
      throw new IllegalArgumentException("a scrape result has either a value or a failure");
    }
    signals = Map.copyOf(signals);
  }

  /** A successful scrape of ongoing requests alone. */
  public static ScrapeResult of(String podName, double ongoingRequests) {
    return of(podName, ongoingRequests, Map.of());
  }

  /** A successful scrape with the other signals the pod exports. */
  public static ScrapeResult of(
      String podName, double ongoingRequests, Map<Signal, Double> signals) {
    return new ScrapeResult(podName, OptionalDouble.of(ongoingRequests), null, signals);
  }

  /** A scrape that yielded no sample. */
  public static ScrapeResult failed(String podName, String failure) {
    return new ScrapeResult(podName, OptionalDouble.empty(), failure, Map.of());
  }
}
