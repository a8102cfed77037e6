package dev.cairn.operator.autoscaler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One autoscaling cycle per call, Flink-style: collect (scrape ready pods into the history),
 * evaluate (load over the look-back window), decide (the policy), realize (the operator's {@link
 * ScaleRealizer}). The operator calls {@link #runCycle} every {@code metricsIntervalSeconds}.
 */
public final class Autoscaler {

  /** What one cycle saw and decided; the operator exports the load and counts as gauges. */
  public record CycleResult(
      ScalingDecision decision, LoadSnapshot load, List<ScrapeResult> scrapes) {}

  private final MetricsSource metrics;
  private final AutoscalerStateStore store;
  private final ScaleRealizer realizer;
  private final Clock clock;
  private final ScalingPolicy policy = new ScalingPolicy();

  /** Wires the pipeline; {@code clock} is a fixed or fake clock in tests. */
  public Autoscaler(
      MetricsSource metrics, AutoscalerStateStore store, ScaleRealizer realizer, Clock clock) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.store = Objects.requireNonNull(store, "store");
    this.realizer = Objects.requireNonNull(realizer, "realizer");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Runs collect → evaluate → decide → realize for one deployment.
   *
   * @param currentDesired the replica count the deployment is meant to run now (from the cluster)
   * @param readyPods the pods that are ready; not-ready pods are left out and add no samples
   * @throws Exception what the realizer threw; the change is retried on the next cycle
   */
  public CycleResult runCycle(
      DeploymentKey key, ScalingSpec spec, int currentDesired, List<ScrapeTarget> readyPods)
      throws Exception {
    return runCycle(key, spec, currentDesired, readyPods, 0);
  }

  /**
   * As {@link #runCycle(DeploymentKey, ScalingSpec, int, List)}, with {@code heldRequests} waiting
   * at the activator (a deployment that scales to zero) counted as load.
   */
  public CycleResult runCycle(
      DeploymentKey key,
      ScalingSpec spec,
      int currentDesired,
      List<ScrapeTarget> readyPods,
      int heldRequests)
      throws Exception {
    AutoscalerState state =
        store.get(key).orElseGet(() -> AutoscalerState.startedAt(clock.instant()));
    List<ScrapeResult> scrapes = metrics.scrape(readyPods);
    Instant now = clock.instant();
    List<String> readyNames = readyPods.stream().map(ScrapeTarget::podName).toList();
    collect(state.history(), scrapes, readyNames, now, spec);
    state.lastCycleAt(now);
    LoadSnapshot load = state.history().snapshot(readyNames, now, spec).withHeld(heldRequests);
    ScalingPolicy.Evaluation evaluation =
        policy.evaluate(spec, currentDesired, load, now, state.policyState());
    if (evaluation.decision().changed()) {
      try {
        realizer.realize(key, evaluation.decision());
      } catch (Exception e) {
        // Keep the samples but not the timer reset, so the same change is retried next cycle.
        store.put(key, state);
        throw e;
      }
    }
    state.policyState(evaluation.next());
    store.put(key, state);
    return new CycleResult(evaluation.decision(), load, scrapes);
  }

  /**
   * How long until the next cycle is due for {@code key}: zero when it has never run or a full
   * metrics interval has passed. Reconciles triggered by other events use it to avoid scraping more
   * often than {@code metricsIntervalSeconds}, which would overweight recent samples.
   */
  public Duration untilNextCycle(DeploymentKey key, ScalingSpec spec) {
    Instant last = store.get(key).map(AutoscalerState::lastCycleAt).orElse(null);
    if (last == null) {
      return Duration.ZERO;
    }
    Duration left =
        Duration.between(clock.instant(), last.plusSeconds(spec.metricsIntervalSeconds()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Drops the state of a deleted deployment or one whose autoscaling was turned off. */
  public void forget(DeploymentKey key) {
    store.remove(key);
  }

  private static void collect(
      SampleHistory history,
      List<ScrapeResult> scrapes,
      List<String> readyNames,
      Instant now,
      ScalingSpec spec) {
    history.retainPods(readyNames);
    for (ScrapeResult r : scrapes) {
      if (r.ongoingRequests().isPresent() && readyNames.contains(r.podName())) {
        history.record(
            new MetricSample(r.podName(), now, r.ongoingRequests().getAsDouble(), r.signals()));
      }
    }
    history.trim(now, Duration.ofSeconds(spec.lookBackPeriodSeconds()));
  }
}
