package dev.cairn.worker.server;

import dev.cairn.worker.config.ApiKeys;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Demands {@code Authorization: Bearer <key>} on {@code /v1/*} with one of the configured keys, and
 * leaves the key's name on the routing context for the per-key token counts.
 */
final class ApiKeyAuth {
  /** Routing-context entry holding the name of the key a request presented. */
  static final String KEY_NAME = "cairn.apiKeyName";

  private record Known(String name, byte[] digest) {}

  private final List<Known> known;

  ApiKeyAuth(ApiKeys keys) {
    this.known = keys.entries().stream().map(e -> new Known(e.name(), sha256(e.key()))).toList();
  }

  void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(
          new ApiException(
              401,
              "authentication_error",
              null,
              "Missing API key: send it as 'Authorization: Bearer <key>'"));
      return;
    }
    String name = match(header.substring(7).strip());
    if (name == null) {
      ctx.fail(new ApiException(401, "authentication_error", null, "Invalid API key"));
      return;
    }
    ctx.put(KEY_NAME, name);
    ctx.next();
  }

  /**
   * The name of the key equal to {@code given}, else null. Digests have one length whatever the
   * keys', and every key is compared in constant time without stopping at a match, so timing
   * reveals neither how much of a key matched nor which key did.
   */
  private String match(String given) {
    byte[] digest = sha256(given);
    String name = null;
    for (Known k : known) {
      if (MessageDigest.isEqual(digest, k.digest())) {
        name = k.name();
      }
    }
    return name;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
