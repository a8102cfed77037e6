package dev.cairn.operator.autoscaler;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Ray Serve's default policy ({@code replica_queue_length_autoscaling_policy}) as a pure function,
 * with wall-clock delays instead of Ray's count of control-loop periods.
 *
 * <p>Safety rules on top of Ray: a scale-down needs a fresh sample from every ready replica and a
 * full look-back window observed by this operator process; replicas outside [min, max] (the spec
 * changed) are clamped at once. At zero replicas (minReplicas 0) requests held by the activator
 * scale to one at once: a held client is waiting, so no upscale delay applies.
 */
public final class ScalingPolicy {

  /** A decision plus the state to remember for the next evaluation. */
  public record Evaluation(ScalingDecision decision, PolicyState next) {}

  /**
   * Evaluates one control-loop period.
   *
   * @param current the deployment's current desired replica count (not the ready count)
   * @param load the load over ready replicas and which of them went unobserved
   */
  public Evaluation evaluate(
      ScalingSpec spec, int current, LoadSnapshot load, Instant now, PolicyState state) {
    String breach = spec.bounds().breach(current);
    if (breach != null) {
      return change(current, spec.bounds().clamp(current), breach, now, state);
    }
    if (current == 0) {
      return fromZero(spec, load, now, state);
    }
    if (load.readyReplicas() == 0) {
      return hold(current, "no ready replicas to measure", now, state.reset());
    }
    Signal deciding = decidingSignal(spec, current, load);
    int proposal =
        RayReplicaMath.proposal(current, load.load(deciding), spec.targets().get(deciding), spec);
    Direction direction = Direction.between(current, proposal);
    if (direction == Direction.DOWN) {
      String blocked = downscaleBlocker(spec, load, now, state);
      if (blocked != null) {
        return hold(
            current,
            loadText(load, spec, deciding) + "; not scaling down: " + blocked,
            now,
            state.reset());
      }
    }
    if (direction == Direction.NONE) {
      return hold(current, loadText(load, spec, deciding), now, state.reset());
    }
    PolicyState next = state.propose(direction, now);
    Duration delay =
        Duration.ofSeconds(
            direction == Direction.UP ? spec.upscaleDelaySeconds() : spec.downscaleDelaySeconds());
    Duration held = Duration.between(next.pendingSince(), now);
    if (held.compareTo(delay) >= 0) {
      return change(current, proposal, loadText(load, spec, deciding), now, next);
    }
    String pending =
        String.format(
            Locale.ROOT,
            "%s; scale-%s to %d pending (%ds of %ds)",
            loadText(load, spec, deciding),
            direction == Direction.UP ? "up" : "down",
            proposal,
            held.toSeconds(),
            delay.toSeconds());
    return hold(current, pending, now, next);
  }

  private static Evaluation fromZero(
      ScalingSpec spec, LoadSnapshot load, Instant now, PolicyState state) {
    if (load.heldRequests() > 0) {
      String why = load.heldRequests() + " requests held at the activator";
      return change(0, spec.bounds().clamp(1), why, now, state);
    }
    return hold(0, "scaled to zero, no requests held at the activator", now, state.reset());
  }

  /**
   * The signal that asks for the most replicas (the first configured one on a tie, ongoing requests
   * before the others), so the deployment meets every target at once.
   */
  static Signal decidingSignal(ScalingSpec spec, int current, LoadSnapshot load) {
    Signal deciding = Signal.ONGOING_REQUESTS;
    int most = Integer.MIN_VALUE;
    for (Map.Entry<Signal, Double> t : spec.targets().entrySet()) {
      int p = RayReplicaMath.proposal(current, load.load(t.getKey()), t.getValue(), spec);
      if (p > most) {
        most = p;
        deciding = t.getKey();
      }
    }
    return deciding;
  }

  // Returns why a scale-down must wait, or null when it may proceed.
  private static String downscaleBlocker(
      ScalingSpec spec, LoadSnapshot load, Instant now, PolicyState state) {
    if (!load.unobservedPods().isEmpty()) {
      return "no fresh metrics from " + String.join(", ", load.unobservedPods());
    }
    Duration observed = Duration.between(state.observingSince(), now);
    if (observed.toSeconds() < spec.lookBackPeriodSeconds()) {
      return String.format(
          Locale.ROOT,
          "observed %ds of the %ds look-back window since the operator started",
          observed.toSeconds(),
          spec.lookBackPeriodSeconds());
    }
    return null;
  }

  private static Evaluation change(
      int current, int target, String why, Instant now, PolicyState state) {
    String reason = "Scaled " + current + " → " + target + ": " + why;
    ScalingDecision decision =
        new ScalingDecision(target, Direction.between(current, target), reason, now);
    return new Evaluation(decision, state.reset());
  }

  private static Evaluation hold(int current, String why, Instant now, PolicyState next) {
    String reason = "Holding " + current + ": " + why;
    return new Evaluation(new ScalingDecision(current, Direction.NONE, reason, now), next);
  }

  /**
   * "9.6 ongoing requests per replica, target 2", the load part of every reason: the deciding
   * signal's, named when others are configured too.
   */
  static String loadText(LoadSnapshot load, ScalingSpec spec, Signal s) {
    if (spec.signalTargets().isEmpty()) {
      return String.format(Locale.ROOT, "%.1f ongoing requests per replica", load.perReplica())
          + ", target "
          + plain(spec.targetOngoingRequests())
          + heldText(load);
    }
    return String.format(Locale.ROOT, "%.2f %s per replica", load.perReplica(s), s.text())
        + ", target "
        + plain(spec.targets().get(s))
        + " (signal "
        + s.text()
        + " decided)"
        + heldText(load);
  }

  private static String heldText(LoadSnapshot load) {
    return load.heldRequests() > 0 ? ", " + load.heldRequests() + " held at the activator" : "";
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
