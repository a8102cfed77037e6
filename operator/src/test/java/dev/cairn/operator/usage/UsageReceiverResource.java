package dev.cairn.operator.usage;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the loopback receiver before the operator and points the operator at it, with intervals
 * short enough for a test: a report every 4 s, at most 3 POSTs of 1 s each per report.
 */
public class UsageReceiverResource implements QuarkusTestResourceLifecycleManager {
  static final int ATTEMPTS = 3;
  static final long INTERVAL_SECONDS = 4;
  static volatile UsageReceiver receiver;

  @Override
  public Map<String, String> start() {
    receiver = UsageReceiver.start(0);
    return Map.of(
        "cairn.usage-stats.url", receiver.uri().toString(),
        "cairn.usage-stats.interval", INTERVAL_SECONDS + "s",
        "cairn.usage-stats.debounce", "500ms",
        "cairn.usage-stats.send-timeout", "1s",
        "cairn.usage-stats.send-attempts", String.valueOf(ATTEMPTS),
        "cairn.usage-stats.retry-backoff", "200ms",
        "cairn.usage-stats.worker-read-interval", "1s",
        "cairn.usage-stats.namespace", "cairn-system");
  }

  @Override
  public void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }
}
