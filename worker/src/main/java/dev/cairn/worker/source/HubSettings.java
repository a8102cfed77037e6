package dev.cairn.worker.source;

import dev.cairn.api.CairnNames;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the worker talks to the Hugging Face Hub and where it caches models.
 *
 * @param endpoint hub base URL ({@code HF_ENDPOINT})
 * @param token bearer token ({@code HF_TOKEN}), sent only to the endpoint's own host
 * @param cacheDir model cache root ({@code CAIRN_MODEL_CACHE})
 * @param maxAttempts tries per request or file before giving up (>= 1)
 * @param initialBackoff wait after the first failure; doubled after each further one
 * @param maxBackoff upper bound of the wait
 * @param stallTimeout a download that receives no byte for this long is abandoned and retried
 * @param connectTimeout TCP connect timeout
 */
public record HubSettings(
    URI endpoint,
    Optional<String> token,
    Path cacheDir,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration stallTimeout,
    Duration connectTimeout) {

  /** Environment variable with the hub's base URL. */
  public static final String ENV_ENDPOINT = CairnNames.ENV_HF_ENDPOINT;

  /** Environment variable with the access token. */
  public static final String ENV_TOKEN = CairnNames.ENV_HF_TOKEN;

  /** Environment variable with the model cache directory. */
  public static final String ENV_CACHE = CairnNames.ENV_MODEL_CACHE;

  /** The public hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  /** Validates the values. */
  public HubSettings {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
      throw new IllegalArgumentException(
          ENV_ENDPOINT + " must be an http(s) URL, got '" + endpoint + "'");
    }
    token = token.filter(t -> !t.isBlank()).map(String::strip);
  }

  /**
   * Settings from environment variables; production retry values (5 attempts from 2 s up to 60 s,
   * 60 s stall timeout). The cache defaults to {@code ~/.cache/cairn} outside a pod.
   */
  public static HubSettings fromEnv(Map<String, String> env) {
    String endpoint = env.getOrDefault(ENV_ENDPOINT, "").strip();
    String cache = env.getOrDefault(ENV_CACHE, "").strip();
    URI uri;
    try {
      uri = endpoint.isEmpty() ? DEFAULT_ENDPOINT : URI.create(stripSlash(endpoint));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          ENV_ENDPOINT + " must be an http(s) URL, got '" + endpoint + "'", e);
    }
    return new HubSettings(
        uri,
        Optional.ofNullable(env.get(ENV_TOKEN)),
        cache.isEmpty()
            ? Path.of(System.getProperty("user.home"), ".cache", "cairn")
            : Path.of(cache),
        5,
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30));
  }

  /** The backoff before attempt {@code attempt + 1}, after {@code attempt} failures (from 1). */
  public Duration backoff(int attempt) {
    long millis = initialBackoff.toMillis() << Math.min(20, attempt - 1);
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
