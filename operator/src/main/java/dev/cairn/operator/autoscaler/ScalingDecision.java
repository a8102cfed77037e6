package dev.cairn.operator.autoscaler;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one evaluation: the replica count to run, and why.
 *
 * @param desiredReplicas the count the deployment should have from now on (unchanged when {@code
 *     direction} is {@link Direction#NONE})
 * @param direction {@link Direction#NONE} when nothing changes, even if a change is pending
 * @param reason a human sentence for the Event and logs, e.g. "Scaled 3 → 5: 9.6 ongoing requests
 *     per replica, target 2"
 * @param decidedAt when the decision was taken (the injected clock's instant)
 */
public record ScalingDecision(
    int desiredReplicas, Direction direction, String reason, Instant decidedAt) {

  /** Checks the invariants every caller relies on. */
  public ScalingDecision {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(decidedAt, "decidedAt");
    if (desiredReplicas < 0) {
      throw new IllegalArgumentException("desiredReplicas must be >= 0, got " + desiredReplicas);
    }
  }

  /** True when the replica count must be written. */
  public boolean changed() {
    return direction != Direction.NONE;
  }
}
