package dev.cairn.operator.usage;

import dev.cairn.operator.autoscaler.MetricsScraper;
import dev.cairn.operator.autoscaler.k8s.ScalingTrigger;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires {@link UsageStats} from configuration and runs it for the operator's lifetime. */
@ApplicationScoped
public class UsageStatsLoop {
  @Inject KubernetesClient client;
  @Inject ScalingTrigger trigger;
  @Inject Clock clock;

  @Inject UsageStatsConfig config;

  @ConfigProperty(name = "cairn.autoscaler.worker-port", defaultValue = "8000")
  int workerPort;

  @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
  String cairnVersion;

  private UsageStats stats;
  private MetricsScraper scraper;

  void onStart(@Observes StartupEvent start) {
    UsageSettings settings = config.settings();
    scraper = new MetricsScraper(settings.scrapeTimeout());
    stats =
        new UsageStats(
            settings,
            client,
            new UsageConfigMap(client, config.namespace().orElseGet(client::getNamespace)),
            new WorkerReadings(scraper, workerPort),
            new UsageReportBuilder(cairnVersion, new SecureRandom()),
            trigger::controllerRunning,
            clock);
    stats.start();
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (stats != null) {
      stats.close();
      scraper.close();
    }
  }
}
