package dev.cairn.activator;

import dev.cairn.api.MetricNames;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code /metrics} answer of one deployment's activator port: the activator's series labelled
 * with that deployment, nothing else. While a deployment is at zero its EndpointSlice points at
 * this port, so its ServiceMonitor scrapes here and sees the held requests and cold starts of its
 * own deployment, not those of every deployment the activator serves.
 */
final class DeploymentScrape {
  /** The Prometheus text format the registry writes. */
  static final String CONTENT_TYPE = TextFormat.CONTENT_TYPE_004;

  private DeploymentScrape() {}

  /** The families of {@code registry} restricted to samples of {@code namespace/deployment}. */
  static String text(PrometheusMeterRegistry registry, String namespace, String deployment) {
    List<MetricFamilySamples> families = new ArrayList<>();
    for (MetricFamilySamples f :
        Collections.list(registry.getPrometheusRegistry().metricFamilySamples())) {
      List<MetricFamilySamples.Sample> mine =
          f.samples.stream().filter(s -> belongsTo(s, namespace, deployment)).toList();
      if (!mine.isEmpty()) {
        families.add(new MetricFamilySamples(f.name, f.unit, f.type, f.help, mine));
      }
    }
    StringWriter out = new StringWriter();
    try {
      TextFormat.write004(out, Collections.enumeration(families));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static boolean belongsTo(
      MetricFamilySamples.Sample s, String namespace, String deployment) {
    return namespace.equals(label(s, MetricNames.LABEL_NAMESPACE))
        && deployment.equals(label(s, MetricNames.LABEL_DEPLOYMENT));
  }

  private static String label(MetricFamilySamples.Sample s, String name) {
    int i = s.labelNames.indexOf(name);
    return i < 0 ? null : s.labelValues.get(i);
  }
}
