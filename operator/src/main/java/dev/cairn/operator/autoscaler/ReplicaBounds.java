package dev.cairn.operator.autoscaler;

/**
 * [minReplicas, maxReplicas]: the one place a replica count is clamped to the autoscaling bounds,
 * for the policy, the status-only rule and the live decision alike.
 */
public record ReplicaBounds(int min, int max) {

  /** The count moved into the bounds; unchanged when it lies within them. */
  public int clamp(int replicas) {
    return Math.max(min, Math.min(max, replicas));
  }

  /** Which bound {@code replicas} breaks, e.g. "above maxReplicas 3"; null within the bounds. */
  public String breach(int replicas) {
    if (replicas < min) {
      return "below minReplicas " + min;
    }
    if (replicas > max) {
      return "above maxReplicas " + max;
    }
    return null;
  }
}
