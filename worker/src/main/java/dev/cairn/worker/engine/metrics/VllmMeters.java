package dev.cairn.worker.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Registers meters with one model's labels: seconds as {@link Timer}s (a {@code
 * DistributionSummary} rounds fractions up before bucketing, stack.md trap 6), token counts as
 * summaries with integer buckets.
 */
final class VllmMeters {
  private final MeterRegistry registry;
  private final Tags tags;

  VllmMeters(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
  }

  Tags tags() {
    return tags;
  }

  void gauge(String name, String help, DoubleSupplier value) {
    Gauge.builder(name, value, DoubleSupplier::getAsDouble)
        .description(help)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  Counter counter(String name, String help) {
    return counter(name, help, tags);
  }

  Counter counter(String name, String help, Tags withTags) {
    return Counter.builder(name).description(help).tags(withTags).register(registry);
  }

  Timer timer(String name, String help, double[] buckets) {
    Duration[] slos = new Duration[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      slos[i] = Duration.ofNanos(Math.round(buckets[i] * 1e9));
    }
    return Timer.builder(name)
        .description(help)
        .serviceLevelObjectives(slos)
        .tags(tags)
        .register(registry);
  }

  DistributionSummary summary(String name, String help, double[] buckets) {
    return DistributionSummary.builder(name)
        .description(help)
        .serviceLevelObjectives(buckets)
        .tags(tags)
        .register(registry);
  }

  /** An info gauge: 1, its facts in labels, without the model's labels (as vLLM's). */
  void info(String name, String help, Tags labels) {
    Gauge.builder(name, () -> 1.0).description(help).tags(labels).register(registry);
  }
}
