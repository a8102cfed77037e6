package dev.cairn.operator.autoscaler;

import java.util.List;
import java.util.Map;

/**
 * What the sample history says about the ready replicas at one instant.
 *
 * @param load sum over the ready replicas with fresh samples of each one's average ongoing requests
 *     over the look-back window
 * @param readyReplicas how many replicas are ready (scrape targets), observed or not
 * @param unobservedPods ready replicas with no fresh sample (never scraped, failed or stale): their
 *     load is unknown, so {@link #load} is only a lower bound while this is non-empty
 * @param signalLoads the same sum for each other configured signal (a pod lacking one is listed in
 *     {@code unobservedPods})
 */
public record LoadSnapshot(
    double load, int readyReplicas, List<String> unobservedPods, Map<Signal, Double> signalLoads) {

  /** Ongoing requests alone. */
  public LoadSnapshot(double load, int readyReplicas, List<String> unobservedPods) {
    this(load, readyReplicas, unobservedPods, Map.of());
  }

  /** Copies the collections so the snapshot stays immutable. */
  public LoadSnapshot {
    unobservedPods = List.copyOf(unobservedPods);
    signalLoads = Map.copyOf(signalLoads);
  }

  /** The summed load of {@code signal} (0 when it is not configured). */
  public double load(Signal signal) {
    return signal == Signal.ONGOING_REQUESTS ? load : signalLoads.getOrDefault(signal, 0.0);
  }

  /** {@link #load(Signal)} per ready replica. */
  public double perReplica(Signal signal) {
    return readyReplicas == 0 ? 0.0 : load(signal) / readyReplicas;
  }

  /** True when every ready replica has a fresh sample, so the load is exact, not a lower bound. */
  public boolean complete() {
    return readyReplicas > 0 && unobservedPods.isEmpty();
  }

  /** Average ongoing requests per ready replica, as shown in the decision's reason. */
  public double perReplica() {
    return readyReplicas == 0 ? 0.0 : load / readyReplicas;
  }
}
