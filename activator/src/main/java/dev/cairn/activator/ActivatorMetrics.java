package dev.cairn.activator;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** The activator's meters, per deployment; names from {@link MetricNames}. */
final class ActivatorMetrics {
  /** Cold starts span model loads: seconds to ten minutes. */
  private static final Duration[] COLD_START_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(20),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300),
    Duration.ofSeconds(600)
  };

  /** Why a held request was answered by the activator itself. */
  enum Rejection {
    QUEUE_FULL("queue_full"),
    TIMEOUT("timeout");

    final String label;

    Rejection(String label) {
      this.label = label;
    }
  }

  private final MeterRegistry registry;

  ActivatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of one deployment; {@code held} is read at scrape time. */
  final class Deployment {
    private final Tags tags;
    private final List<Meter> meters;
    private final Timer coldStart;

    private Deployment(String namespace, String name, Supplier<Number> held) {
      tags = Tags.of(MetricNames.LABEL_NAMESPACE, namespace, MetricNames.LABEL_DEPLOYMENT, name);
      coldStart =
          Timer.builder(MetricNames.ACTIVATOR_COLD_START)
              .description("Held request's arrival to its first forwarded response byte")
              .tags(tags)
              .serviceLevelObjectives(COLD_START_BUCKETS)
              .register(registry);
      Gauge heldGauge =
          Gauge.builder(MetricNames.ACTIVATOR_HELD_REQUESTS, held)
              .description("Requests held while the deployment has no ready replica")
              .tags(tags)
              .register(registry);
      meters =
          List.of(
              coldStart,
              heldGauge,
              rejectedCounter(Rejection.QUEUE_FULL),
              rejectedCounter(Rejection.TIMEOUT));
    }

    private Counter rejectedCounter(Rejection why) {
      return Counter.builder(MetricNames.ACTIVATOR_REJECTED)
          .description("Held requests the activator answered itself (503 queue full, 504 timeout)")
          .tags(tags.and(MetricNames.LABEL_REASON, why.label))
          .register(registry);
    }

    void coldStart(long nanos) {
      coldStart.record(Duration.ofNanos(nanos));
    }

    void rejected(Rejection why) {
      rejectedCounter(why).increment();
    }

    /** Drops this deployment's series (its route was removed). */
    void remove() {
      meters.forEach(registry::remove);
    }
  }

  Deployment forDeployment(String namespace, String name, Supplier<Number> held) {
    return new Deployment(namespace, name, held);
  }
}
