package dev.cairn.operator.usage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code cairn.usage-stats.*} properties (env {@code CAIRN_USAGE_STATS_*}) as configured; see
 * {@link UsageSettings} for what each means and which values it refuses.
 */
@ConfigMapping(prefix = "cairn.usage-stats")
public interface UsageStatsConfig {

  @WithDefault("true")
  boolean enabled();

  @WithDefault("1h")
  Duration interval();

  @WithDefault("10s")
  Duration debounce();

  Optional<URI> url();

  @WithDefault("10s")
  Duration sendTimeout();

  @WithDefault("3")
  int sendAttempts();

  @WithDefault("5s")
  Duration retryBackoff();

  @WithDefault("2s")
  Duration scrapeTimeout();

  @WithDefault("1m")
  Duration workerReadInterval();

  /** The operator's namespace; unset: the client's (the service account's, in a pod). */
  Optional<String> namespace();

  /** The settings the loop runs with, checked by {@link UsageSettings}. */
  default UsageSettings settings() {
    return new UsageSettings(
        enabled(),
        interval(),
        debounce(),
        url(),
        sendTimeout(),
        sendAttempts(),
        retryBackoff(),
        scrapeTimeout(),
        workerReadInterval());
  }
}
