package dev.cairn.operator.autoscaler;

import java.time.Instant;
import java.util.Objects;

/**
 * Everything the autoscaler keeps for one deployment between cycles: the sample history and the
 * policy's delay timer. Lost on operator restart by design: it is rebuilt from fresh scrapes, and
 * {@link PolicyState#observingSince()} keeps the rebuilt history from causing an early scale-down.
 */
public final class AutoscalerState {
  private final SampleHistory history;
  private PolicyState policyState;
  private Instant lastCycleAt;

  /** State built from what was stored; {@code history} is owned by this state from now on. */
  public AutoscalerState(SampleHistory history, PolicyState policyState) {
    this.history = Objects.requireNonNull(history, "history");
    this.policyState = Objects.requireNonNull(policyState, "policyState");
  }

  /** A deployment first observed at {@code now}. */
  public static AutoscalerState startedAt(Instant now) {
    return new AutoscalerState(new SampleHistory(), PolicyState.startedAt(now));
  }

  /** The per-replica samples (mutable, updated in place by the collect step). */
  public SampleHistory history() {
    return history;
  }

  /** The delay timer and observation start. */
  public PolicyState policyState() {
    return policyState;
  }

  /** When the last cycle scraped this deployment; null before the first. */
  public Instant lastCycleAt() {
    return lastCycleAt;
  }

  /** Records that a cycle scraped this deployment at {@code at}. */
  public void lastCycleAt(Instant at) {
    this.lastCycleAt = Objects.requireNonNull(at, "lastCycleAt");
  }

  /** Replaces the policy state after an evaluation whose decision has been realized. */
  public void policyState(PolicyState next) {
    this.policyState = Objects.requireNonNull(next, "policyState");
  }
}
