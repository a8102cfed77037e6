package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.MetricNames;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.PrometheusTextParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reads {@code cairn_activator_held_requests{namespace, deployment}} from every ready activator pod
 * and sums one deployment's series: the demand of a deployment at zero, which no worker can report.
 * An activator that cannot be read counts as holding nothing (logged): the held requests stay held
 * and are counted at the next cycle.
 */
public final class ActivatorHeldRequests implements AutoscalerCycles.HeldRequests {
  private static final Logger LOG = Logger.getLogger(ActivatorHeldRequests.class);

  private final HttpClient client;
  private final Supplier<List<String>> activatorIps;
  private final int metricsPort;
  private final Duration timeout;

  /** Scrapes {@code activatorIps} on {@code metricsPort}, each within {@code timeout}. */
  public ActivatorHeldRequests(
      Supplier<List<String>> activatorIps, int metricsPort, Duration timeout) {
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.activatorIps = activatorIps;
    this.metricsPort = metricsPort;
    this.timeout = timeout;
  }

  @Override
  public int held(DeploymentKey key) {
    int total = 0;
    for (String ip : activatorIps.get()) {
      total += heldAt(ip, key);
    }
    return total;
  }

  private int heldAt(String ip, DeploymentKey key) {
    URI uri = URI.create("http://" + ip + ":" + metricsPort + "/metrics");
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        LOG.debugf("activator %s: HTTP %d", ip, r.statusCode());
        return 0;
      }
      return (int)
          PrometheusTextParser.parse(r.body(), MetricNames.ACTIVATOR_HELD_REQUESTS).stream()
              .filter(s -> key.namespace().equals(s.labels().get(MetricNames.LABEL_NAMESPACE)))
              .filter(s -> key.name().equals(s.labels().get(MetricNames.LABEL_DEPLOYMENT)))
              .mapToDouble(PrometheusTextParser.Series::value)
              .sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      LOG.debugf("activator %s not read: %s", ip, e.getMessage());
      return 0;
    }
  }
}
