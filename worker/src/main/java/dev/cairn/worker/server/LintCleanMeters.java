package dev.cairn.worker.server;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Keeps {@code /metrics} clean under {@code promtool check metrics}: drops the two binder meters
 * whose Prometheus names break its naming lints ({@code process_cpu_time_ns_total}: abbreviated
 * unit; {@code system_cpu_count}: a gauge ending in {@code _count}). {@code process_cpu_usage} and
 * the JVM series the dashboards use stay.
 */
@Singleton
public class LintCleanMeters {
  /** Micrometer names of the dropped meters. */
  static final Set<String> DROPPED = Set.of("process.cpu.time", "system.cpu.count");

  @Produces
  @Singleton
  MeterFilter dropLintBreakingMeters() {
    return MeterFilter.deny(id -> DROPPED.contains(id.getName()));
  }
}
