package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.testing.Promtool;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;

/**
 * The exposition as the worker's registry serves it stays parseable by promtool whatever the
 * meters' descriptions say, including the JVM CPU families, which are registered here explicitly
 * with Micrometer's own descriptions because a machine's cgroup setup may hide them.
 */
class LintCleanMetersTest {

  /** Prometheus asks for OpenMetrics, whose writer escapes a HELP text's quotes as \\". */
  private static final String OPENMETRICS = TextFormat.CONTENT_TYPE_OPENMETRICS_100;

  private static String scrape(boolean withFilters, String contentType) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (withFilters) {
      LintCleanMeters meters = new LintCleanMeters();
      registry.config().meterFilter(meters.dropLintBreakingMeters());
      registry.config().meterFilter(meters.promtoolSafeHelp());
    }
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("system.cpu.usage", () -> 0.5)
        .description("The \"recent cpu usage\" of the system the application is running in")
        .register(registry);
    Gauge.builder("process.cpu.usage", () -> 0.25)
        .description("The \"recent cpu usage\" for the Java Virtual Machine process")
        .register(registry);
    Gauge.builder("cairn.test.path", () -> 1)
        .description("A path like C:\\models and a \"quoted\" word")
        .register(registry);
    return registry.scrape(contentType);
  }

  @Test
  void quotesInHelpBreakPromtoolWithoutTheFilter() {
    Promtool.Result r = Promtool.checkMetrics(scrape(false, OPENMETRICS));
    assertThat(r.exitCode()).as(r.output()).isNotIn(0, 3);
    assertThat(r.output()).contains("invalid escape sequence");
  }

  @Test
  void everyHelpTextParsesWithTheFilterInBothFormats() {
    for (String format : new String[] {TextFormat.CONTENT_TYPE_004, OPENMETRICS}) {
      String text = scrape(true, format);
      assertThat(text)
          .as(format)
          .contains("# HELP system_cpu_usage The 'recent cpu usage'")
          .contains("# HELP process_cpu_usage The 'recent cpu usage'")
          .contains("# HELP cairn_test_path A path like C:/models and a 'quoted' word");
      Promtool.Result r = Promtool.checkMetrics(text);
      assertThat(r.exitCode()).as(format + "\n" + r.output()).isZero();
    }
  }
}
