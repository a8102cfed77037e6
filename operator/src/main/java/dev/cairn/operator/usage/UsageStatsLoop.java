package dev.cairn.operator.usage;

import dev.cairn.operator.autoscaler.MetricsScraper;
import dev.cairn.operator.autoscaler.k8s.ScalingTrigger;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires {@link UsageStats} from configuration and runs it for the operator's lifetime. */
@ApplicationScoped
public class UsageStatsLoop {
  @Inject KubernetesClient client;
  @Inject ScalingTrigger trigger;
  @Inject Clock clock;

  @ConfigProperty(name = "cairn.usage-stats.enabled", defaultValue = "true")
  boolean enabled;

  @ConfigProperty(name = "cairn.usage-stats.interval", defaultValue = "1h")
  Duration interval;

  @ConfigProperty(name = "cairn.usage-stats.debounce", defaultValue = "10s")
  Duration debounce;

  @ConfigProperty(name = "cairn.usage-stats.url")
  Optional<URI> url;

  @ConfigProperty(name = "cairn.usage-stats.send-timeout", defaultValue = "10s")
  Duration sendTimeout;

  @ConfigProperty(name = "cairn.usage-stats.send-attempts", defaultValue = "3")
  int sendAttempts;

  @ConfigProperty(name = "cairn.usage-stats.retry-backoff", defaultValue = "5s")
  Duration retryBackoff;

  @ConfigProperty(name = "cairn.usage-stats.scrape-timeout", defaultValue = "2s")
  Duration scrapeTimeout;

  @ConfigProperty(name = "cairn.usage-stats.worker-read-interval", defaultValue = "1m")
  Duration workerReadInterval;

  /** The operator's namespace; unset: the client's (the service account's, in a pod). */
  @ConfigProperty(name = "cairn.usage-stats.namespace")
  Optional<String> namespace;

  @ConfigProperty(name = "cairn.autoscaler.worker-port", defaultValue = "8000")
  int workerPort;

  @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
  String cairnVersion;

  private UsageStats stats;
  private MetricsScraper scraper;

  void onStart(@Observes StartupEvent start) {
    UsageSettings settings =
        new UsageSettings(
            enabled,
            interval,
            debounce,
            url,
            sendTimeout,
            sendAttempts,
            retryBackoff,
            scrapeTimeout,
            workerReadInterval);
    scraper = new MetricsScraper(scrapeTimeout);
    stats =
        new UsageStats(
            settings,
            client,
            new UsageConfigMap(client, namespace.orElseGet(client::getNamespace)),
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
