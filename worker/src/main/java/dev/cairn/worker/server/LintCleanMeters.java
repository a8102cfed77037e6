package dev.cairn.worker.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Keeps {@code /metrics} clean under {@code promtool check metrics}: drops the two binder meters
 * whose Prometheus names break its naming lints ({@code process_cpu_time_ns_total}: abbreviated
 * unit; {@code system_cpu_count}: a gauge ending in {@code _count}). {@code process_cpu_usage} and
 * the JVM series the dashboards use stay. Also keeps every HELP text parseable.
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

  /**
   * Rewrites descriptions that the exposition would carry as {@code \"} or {@code \\} in HELP,
   * which promtool cannot parse (the JVM's {@code system.cpu.usage} says {@code The "recent cpu
   * usage"...}): double quotes become single ones and backslashes slashes, for every meter.
   */
  @Produces
  @Singleton
  MeterFilter promtoolSafeHelp() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String help = id.getDescription();
        if (help == null || (help.indexOf('"') < 0 && help.indexOf('\\') < 0)) {
          return id;
        }
        return new Meter.Id(
            id.getName(),
            Tags.of(id.getTagsAsIterable()),
            id.getBaseUnit(),
            safeHelp(help),
            id.getType());
      }
    };
  }

  static String safeHelp(String help) {
    return help.replace('"', '\'').replace('\\', '/');
  }
}
