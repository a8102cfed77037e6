package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.MetricNames;
import dev.cairn.operator.autoscaler.DeploymentKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's per-deployment gauges: desired and ready replicas for every LLMDeployment, and the
 * load the autoscaler measured for autoscaled ones. Removed with the resource.
 */
public final class AutoscalerGauges {
  /** Replicas the deployment should run now. */
  public static final String DESIRED = MetricNames.AUTOSCALER_DESIRED;

  /** Worker pods that are Ready. */
  public static final String READY = MetricNames.AUTOSCALER_READY;

  /** Look-back load summed over ready replicas; only under autoscaling. */
  public static final String LOAD = MetricNames.AUTOSCALER_LOAD;

  /** Current values of one deployment's gauges; the gauges read them. */
  private static final class Values {
    volatile double desired;
    volatile double ready;
    volatile double load = Double.NaN;
    final List<Gauge> gauges = new ArrayList<>();
    Gauge loadGauge;
  }

  private final MeterRegistry registry;
  private final Map<DeploymentKey, Values> values = new ConcurrentHashMap<>();

  /** Registers gauges on {@code registry}. */
  public AutoscalerGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Sets the replica gauges of {@code key}, registering them on first sight. */
  public void replicas(DeploymentKey key, int desired, int ready) {
    Values v = values.computeIfAbsent(key, this::register);
    v.desired = desired;
    v.ready = ready;
  }

  /** Sets the measured load; {@code NaN} removes the load gauge (autoscaling off). */
  public void load(DeploymentKey key, double load) {
    Values v = values.computeIfAbsent(key, this::register);
    synchronized (v) {
      v.load = load;
      if (Double.isNaN(load) && v.loadGauge != null) {
        registry.remove(v.loadGauge);
        v.loadGauge = null;
      } else if (!Double.isNaN(load) && v.loadGauge == null) {
        v.loadGauge =
            Gauge.builder(LOAD, v, x -> x.load)
                .description("Ongoing requests summed over the ready replicas (look-back average)")
                .tags(tags(key))
                .register(registry);
      }
    }
  }

  /** The deployments that have gauges. */
  public Set<DeploymentKey> keys() {
    return Set.copyOf(values.keySet());
  }

  /** Removes every gauge of {@code key}. */
  public void remove(DeploymentKey key) {
    Values v = values.remove(key);
    if (v != null) {
      synchronized (v) {
        v.gauges.forEach(registry::remove);
        if (v.loadGauge != null) {
          registry.remove(v.loadGauge);
        }
      }
    }
  }

  private Values register(DeploymentKey key) {
    Values v = new Values();
    v.gauges.add(
        Gauge.builder(DESIRED, v, x -> x.desired)
            .description("Replicas the LLMDeployment should run now")
            .tags(tags(key))
            .register(registry));
    v.gauges.add(
        Gauge.builder(READY, v, x -> x.ready)
            .description("Worker pods of the LLMDeployment that are Ready")
            .tags(tags(key))
            .register(registry));
    return v;
  }

  private static Tags tags(DeploymentKey key) {
    return Tags.of("namespace", key.namespace(), "deployment", key.name());
  }
}
