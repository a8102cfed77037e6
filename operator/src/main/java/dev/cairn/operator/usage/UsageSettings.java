package dev.cairn.operator.usage;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The usage-statistics switches ({@code cairn.usage-stats.*}, env {@code CAIRN_USAGE_STATS_*}).
 *
 * @param enabled false: nothing collected, written or sent, and the ConfigMap removed
 * @param interval how often the report is refreshed (and sent) without any change
 * @param debounce how long a burst of LLMDeployment changes is gathered into one refresh
 * @param url where the report is POSTed; empty: nowhere, it stays in the cluster
 * @param sendTimeout bound on one POST
 * @param sendAttempts POSTs per report at most
 * @param retryBackoff wait after the first failed POST, doubled after each further one
 * @param scrapeTimeout bound on one worker's {@code /metrics}
 * @param workerReadInterval how often ready workers are read between reports, so that a
 *     structured-output request is noticed (and persisted) before its worker restarts
 */
public record UsageSettings(
    boolean enabled,
    Duration interval,
    Duration debounce,
    Optional<URI> url,
    Duration sendTimeout,
    int sendAttempts,
    Duration retryBackoff,
    Duration scrapeTimeout,
    Duration workerReadInterval) {

  /** Refuses settings that would make the loop spin or never send, naming the property. */
  public UsageSettings {
    positive("cairn.usage-stats.interval", interval);
    positive("cairn.usage-stats.debounce", debounce);
    positive("cairn.usage-stats.send-timeout", sendTimeout);
    positive("cairn.usage-stats.retry-backoff", retryBackoff);
    positive("cairn.usage-stats.scrape-timeout", scrapeTimeout);
    positive("cairn.usage-stats.worker-read-interval", workerReadInterval);
    if (sendAttempts < 1) {
      throw new IllegalArgumentException(
          "cairn.usage-stats.send-attempts must be at least 1, got " + sendAttempts);
    }
    url.ifPresent(
        u -> {
          if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            throw new IllegalArgumentException(
                "cairn.usage-stats.url must be an http(s) URL, got " + u);
          }
        });
  }

  /** The one line logged at start: whether it collects, where it sends, how to turn it off. */
  public String startLine(String configMap) {
    if (!enabled) {
      return "usage statistics: off (CAIRN_USAGE_STATS_ENABLED=false): nothing collected or sent,"
          + " ConfigMap "
          + configMap
          + " removed";
    }
    String sending =
        url.map(u -> "sent to " + u + " (POST)")
            .orElse("not sent anywhere (set CAIRN_USAGE_STATS_URL to send)");
    return "usage statistics: collected into ConfigMap "
        + configMap
        + " every "
        + interval
        + ", "
        + sending
        + "; turn off with CAIRN_USAGE_STATS_ENABLED=false";
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }
}
