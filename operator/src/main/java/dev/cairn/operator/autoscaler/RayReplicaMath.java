package dev.cairn.operator.autoscaler;

/**
 * Ray Serve's replica arithmetic ({@code _apply_scaling_factors} and {@code _apply_bounds} in
 * {@code ray/serve/autoscaling_policy.py}), kept apart so tests can pin it number by number.
 */
final class RayReplicaMath {
  private RayReplicaMath() {}

  /** desired = load / target: the fractional replica count that would meet the target exactly. */
  static double desired(double load, double targetOngoingRequests) {
    return load / targetOngoingRequests;
  }

  /**
   * scaled = ceil(current + factor × (desired − current)), factor = upscalingFactor when growing
   * and downscalingFactor otherwise; if the unsmoothed count is below current but the factor kept
   * it there, shrink by one so a small downscalingFactor cannot pin the deployment forever.
   */
  static int scaled(int current, double desired, ScalingSpec spec) {
    double delta = desired - current;
    double factor = delta > 0 ? spec.upscalingFactor() : spec.downscalingFactor();
    int scaled = (int) Math.ceil(current + factor * delta);
    if (Math.ceil(desired) < current && scaled == current) {
      scaled -= 1;
    }
    return scaled;
  }

  /** The proposal before delays: scaled, then bounded. */
  static int proposal(int current, double load, ScalingSpec spec) {
    return proposal(current, load, spec.targetOngoingRequests(), spec);
  }

  /** The proposal for one signal's summed load and per-replica target. */
  static int proposal(int current, double load, double target, ScalingSpec spec) {
    return spec.bounds().clamp(scaled(current, desired(load, target), spec));
  }
}
