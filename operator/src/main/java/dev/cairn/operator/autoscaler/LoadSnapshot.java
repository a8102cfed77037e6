package dev.cairn.operator.autoscaler;

import java.util.List;

/**
 * What the sample history says about the ready replicas at one instant.
 *
 * @param load sum over the ready replicas with fresh samples of each one's average ongoing requests
 *     over the look-back window
 * @param readyReplicas how many replicas are ready (scrape targets), observed or not
 * @param unobservedPods ready replicas with no fresh sample (never scraped, failed or stale): their
 *     load is unknown, so {@link #load} is only a lower bound while this is non-empty
 * @param heldRequests requests the activator holds for the deployment (scale from zero): demand
 *     that no replica has seen yet
 */
public record LoadSnapshot(
    double load, int readyReplicas, List<String> unobservedPods, int heldRequests) {

  /** Copies the pod list so the snapshot stays immutable. */
  public LoadSnapshot {
    unobservedPods = List.copyOf(unobservedPods);
  }

  /** A snapshot with nothing held at the activator. */
  public LoadSnapshot(double load, int readyReplicas, List<String> unobservedPods) {
    this(load, readyReplicas, unobservedPods, 0);
  }

  /** The same snapshot with {@code held} requests waiting at the activator. */
  public LoadSnapshot withHeld(int held) {
    return new LoadSnapshot(load, readyReplicas, unobservedPods, held);
  }

  /** The replicas' load plus what the activator holds: both are requests to serve. */
  public double demand() {
    return load + heldRequests;
  }

  /** True when every ready replica has a fresh sample, so the load is exact, not a lower bound. */
  public boolean complete() {
    return readyReplicas > 0 && unobservedPods.isEmpty();
  }

  /** Average ongoing requests per ready replica, as shown in the decision's reason. */
  public double perReplica() {
    return readyReplicas == 0 ? 0.0 : demand() / readyReplicas;
  }
}
