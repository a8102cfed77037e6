package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.Autoscaler;
import dev.cairn.operator.autoscaler.AutoscalerStateStore;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.MetricsSource;
import dev.cairn.operator.autoscaler.ScaleRealizer;
import dev.cairn.operator.autoscaler.ScalingSpec;
import dev.cairn.operator.autoscaler.ScrapeTarget;
import dev.cairn.operator.replicas.DesiredReplicas;
import dev.cairn.operator.replicas.StatusDesiredReplicas;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One tick of the operator's autoscaling loop over every LLMDeployment: gauges for all, a cycle for
 * each autoscaled one that is due. Cycles run on {@code executor}, at most one per deployment at a
 * time, so a slow deployment never holds up the others or the tick.
 */
public final class AutoscalerCycles {
  /** Writes ScalingActive alone (the realizer writes it with each decision). */
  public interface ConditionWriter {
    /** Sets ScalingActive on {@code key}. */
    void condition(DeploymentKey key, boolean active, String reason, String message);
  }

  /** Requests the activator holds for a deployment (read only for those that scale to zero). */
  public interface HeldRequests {
    /** The count now; 0 when none or unknown. */
    int held(DeploymentKey key);
  }

  private static final Logger LOG = Logger.getLogger(AutoscalerCycles.class);

  private final Clock clock;
  private final AutoscalerStateStore store;
  private final ScaleRealizer realizer;
  private final ConditionWriter conditions;
  private final Function<Duration, MetricsSource> sources;
  private final DesiredReplicas desired;
  private final LiveDecisions decisions;
  private final AutoscalerGauges gauges;
  private final Executor executor;
  private final int workerPort;
  private final Map<Duration, Autoscaler> byTimeout = new ConcurrentHashMap<>();
  private final Set<DeploymentKey> running = ConcurrentHashMap.newKeySet();
  private final Set<DeploymentKey> autoscaled = ConcurrentHashMap.newKeySet();
  private volatile HeldRequests heldRequests = key -> 0;

  /** Collaborators of the loop; {@code sources} gives a scraper bounded by a per-pod timeout. */
  public AutoscalerCycles(
      Clock clock,
      AutoscalerStateStore store,
      ScaleRealizer realizer,
      ConditionWriter conditions,
      Function<Duration, MetricsSource> sources,
      DesiredReplicas desired,
      LiveDecisions decisions,
      AutoscalerGauges gauges,
      Executor executor,
      int workerPort) {
    this.clock = clock;
    this.store = store;
    this.realizer = realizer;
    this.conditions = conditions;
    this.sources = sources;
    this.desired = desired;
    this.decisions = decisions;
    this.gauges = gauges;
    this.executor = executor;
    this.workerPort = workerPort;
  }

  /** Where held requests are read for deployments with minReplicas 0 (none by default). */
  public void heldRequests(HeldRequests source) {
    this.heldRequests = source;
  }

  /**
   * Updates gauges and starts due cycles.
   *
   * @param all every LLMDeployment the operator sees
   * @param podsOf the worker pods of one deployment
   */
  public void tick(List<LLMDeployment> all, Function<DeploymentKey, List<Pod>> podsOf) {
    Set<DeploymentKey> seen = new HashSet<>();
    for (LLMDeployment llmd : all) {
      DeploymentKey key = AutoscalerDesiredReplicas.key(llmd);
      seen.add(key);
      List<Pod> pods = podsOf.apply(key);
      List<Pod> ready = pods.stream().filter(AutoscalerCycles::isReady).toList();
      gauges.replicas(key, desired.of(llmd), ready.size());
      if (llmd.getSpec().getAutoscaling() == null) {
        stopAutoscaling(key);
        continue;
      }
      ScalingSpec spec;
      try {
        spec =
            ScalingSpecMapper.from(
                llmd.getSpec().getAutoscaling(), llmd.getSpec().engineMetricsEnabled());
      } catch (IllegalArgumentException e) {
        // SpecValidator covers every rule the mapper enforces, so the reconciler has already set
        // Degraded=InvalidSpec naming the field; nothing to scale until it is fixed.
        continue;
      }
      autoscaled.add(key);
      Autoscaler autoscaler = autoscaler(spec);
      if (autoscaler.untilNextCycle(key, spec).isZero() && running.add(key)) {
        List<ScrapeTarget> targets = targets(ready);
        // Unbounded on purpose: the policy turns a count outside the bounds into a decision.
        int current = decisions.get(key).orElse(StatusDesiredReplicas.lastDecided(llmd));
        executor.execute(() -> cycle(autoscaler, llmd, key, spec, current, targets));
      }
    }
    for (DeploymentKey gone : gauges.keys()) {
      if (!seen.contains(gone)) {
        gauges.remove(gone);
        stopAutoscaling(gone);
      }
    }
  }

  private void cycle(
      Autoscaler autoscaler,
      LLMDeployment llmd,
      DeploymentKey key,
      ScalingSpec spec,
      int current,
      List<ScrapeTarget> targets) {
    try {
      int held = spec.minReplicas() == 0 ? heldRequests.held(key) : 0;
      Autoscaler.CycleResult r = autoscaler.runCycle(key, spec, current, targets, held);
      gauges.load(key, r.load().load());
      boolean scraped = r.scrapes().stream().anyMatch(s -> s.ongoingRequests().isPresent());
      if (!targets.isEmpty() && !scraped) {
        if (!ScalingStatus.conditionIs(llmd, false, Reason.METRICS_UNAVAILABLE)) {
          conditions.condition(
              key, false, Reason.METRICS_UNAVAILABLE, "no ready replica could be scraped");
        }
      } else if (!r.decision().changed()) {
        String reason = ScalingStatus.activeReason(r.decision().desiredReplicas());
        if (!ScalingStatus.conditionIs(llmd, true, reason)) {
          conditions.condition(key, true, reason, r.decision().reason());
        }
      }
    } catch (Exception e) {
      LOG.warnf("%s: autoscaling cycle failed, retried next cycle: %s", key, e.getMessage());
    } finally {
      running.remove(key);
    }
  }

  private void stopAutoscaling(DeploymentKey key) {
    if (autoscaled.remove(key)) {
      byTimeout.values().forEach(a -> a.forget(key));
      decisions.remove(key);
      gauges.load(key, Double.NaN);
    }
  }

  private Autoscaler autoscaler(ScalingSpec spec) {
    // Per-pod scrape timeout: half the interval, so a cycle ends well before the next is due.
    Duration timeout = Duration.ofMillis(spec.metricsIntervalSeconds() * 500L);
    return byTimeout.computeIfAbsent(
        timeout, t -> new Autoscaler(sources.apply(t), store, realizer, clock));
  }

  private List<ScrapeTarget> targets(List<Pod> ready) {
    return ready.stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
        .map(p -> new ScrapeTarget(p.getMetadata().getName(), p.getStatus().getPodIP(), workerPort))
        .toList();
  }

  /** Ready=True and not terminating: a pod on its way out takes no new requests. */
  public static boolean isReady(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The label that ties a worker pod to its LLMDeployment. */
  static String instanceOf(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(CairnNames.LABEL_INSTANCE);
  }
}
