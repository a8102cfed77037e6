package dev.cairn.worker.server;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Demands {@code Authorization: Bearer <key>} on {@code /v1/*} when an API key is configured. */
final class ApiKeyAuth {
  private final byte[] key;

  ApiKeyAuth(String key) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
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
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    // Constant-time comparison: timing must not reveal how much of the key matched.
    if (!MessageDigest.isEqual(given, key)) {
      ctx.fail(new ApiException(401, "authentication_error", null, "Invalid API key"));
      return;
    }
    ctx.next();
  }
}
