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
 * @param heldRequests requests the activator holds for the deployment (scale from zero): demand
 *     that no replica has seen yet
 */
public record LoadSnapshot(
    double load,
    int readyReplicas,
    List<String> unobservedPods,
    Map<Signal, Double> signalLoads,
    int heldRequests) {

  /** Ongoing requests alone. */
  public LoadSnapshot(double load, int readyReplicas, List<String> unobservedPods) {
    this(load, readyReplicas, unobservedPods, Map.of());
  }

  /** Replica signals with nothing held at the activator. */
  public LoadSnapshot(
      double load,
      int readyReplicas,
      List<String> unobservedPods,
      Map<Signal, Double> signalLoads) {
    this(load, readyReplicas, unobservedPods, signalLoads, 0);
  }

  /** Copies the collections so the snapshot stays immutable. */
  public LoadSnapshot {
    unobservedPods = List.copyOf(unobservedPods);
    signalLoads = Map.copyOf(signalLoads);
  }

  /** The same snapshot with {@code held} requests waiting at the activator. */
  public LoadSnapshot withHeld(int held) {
    return new LoadSnapshot(load, readyReplicas, unobservedPods, signalLoads, held);
  }

  /** The replicas' ongoing requests plus what the activator holds: both are requests to serve. */
  public double demand() {
    return load + heldRequests;
  }

  /**
   * The summed load of {@code signal} (0 when it is not configured); held requests count as ongoing
   * requests.
   */
  public double load(Signal signal) {
    return signal == Signal.ONGOING_REQUESTS ? demand() : signalLoads.getOrDefault(signal, 0.0);
  }

  /** {@link #load(Signal)} per ready replica. */
  public double perReplica(Signal signal) {
    return readyReplicas == 0 ? 0.0 : load(signal) / readyReplicas;
  }

  /** True when every ready replica has a fresh sample, so the load is exact, not a lower bound. */
  public boolean complete() {
    return readyReplicas > 0 && unobservedPods.isEmpty();
  }

  /** Average demand (ongoing plus held requests) per ready replica, as shown in the reason. */
  public double perReplica() {
    return readyReplicas == 0 ? 0.0 : demand() / readyReplicas;
  }
}
