package dev.cairn.operator.autoscaler;

import java.time.Instant;
import java.util.Objects;

/**
 * What the policy remembers between evaluations: the pending direction and since when it has held
 * (Ray's decision counter, in wall-clock time), and since when this operator has been observing.
 *
 * @param pending the direction proposed at every evaluation since {@code pendingSince}, or {@link
 *     Direction#NONE}
 * @param pendingSince when {@code pending} was first proposed; null when nothing is pending
 * @param observingSince the first evaluation of this operator process: no scale-down before a full
 *     look-back window has been observed from here, since the history before it was lost
 */
public record PolicyState(Direction pending, Instant pendingSince, Instant observingSince) {

  /** Checks that a pending direction always has a start time. */
  public PolicyState {
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(observingSince, "observingSince");
    if ((pending == Direction.NONE) != (pendingSince == null)) {
      throw new IllegalArgumentException(
          "pendingSince must be set exactly when a change is pending");
    }
  }

  /**
   * The state of a deployment first seen (or seen again after an operator restart) at {@code now}.
   */
  public static PolicyState startedAt(Instant now) {
    return new PolicyState(Direction.NONE, null, now);
  }

  /** Nothing pending: the timer is reset. */
  public PolicyState reset() {
    return new PolicyState(Direction.NONE, null, observingSince);
  }

  /**
   * Keeps the timer when {@code direction} continues the pending one, else restarts it at {@code
   * now}.
   */
  public PolicyState propose(Direction direction, Instant now) {
    if (direction == Direction.NONE) {
      return reset();
    }
    return direction == pending ? this : new PolicyState(direction, now, observingSince);
  }
}
