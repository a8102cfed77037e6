package dev.cairn.worker.server;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Cairn's own limits on the request line and headers, answered in OpenAI's error shape (414, 431).
 * Vert.x answers requests past its decoder limits itself, before any route runs, with an empty
 * body; so the decoder limits ({@code quarkus.http.limits.max-initial-line-length} and {@code
 * max-header-size}) are raised to the hard caps here and the real limits enforced in a route.
 * Requests beyond the hard caps still get Vert.x's bodiless 414/431 and a closed connection.
 */
public final class RequestSizeLimits {
  /** Longest request URI answered normally. */
  public static final int MAX_URI_CHARS = 4096;

  /** Most header bytes (names, values and separators) answered normally. */
  public static final int MAX_HEADER_BYTES = 20 * 1024;

  /** Netty's request-line limit: beyond it Vert.x answers 414 without a body. */
  public static final int HARD_INITIAL_LINE_BYTES = 64 * 1024;

  /** Netty's header limit: beyond it Vert.x answers 431 without a body. */
  public static final int HARD_HEADER_BYTES = 64 * 1024;

  private RequestSizeLimits() {}

  /** Adds the check before every other route. */
  public static void install(Router router) {
    router.route().order(-300).handler(RequestSizeLimits::check);
  }

  private static void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.uri().length() > MAX_URI_CHARS) {
      refuse(ctx, 414, "The request URI exceeds " + MAX_URI_CHARS + " characters");
      return;
    }
    long headerBytes = 0;
    for (Map.Entry<String, String> h : request.headers()) {
      headerBytes += h.getKey().length() + h.getValue().length() + 4; // ": " and CRLF
    }
    if (headerBytes > MAX_HEADER_BYTES) {
      refuse(ctx, 431, "The request headers exceed " + MAX_HEADER_BYTES + " bytes");
      return;
    }
    ctx.next();
  }

  /** Answers and closes: a body may follow that nobody will read. */
  private static void refuse(RoutingContext ctx, int status, String message) {
    ctx.response().putHeader("Connection", "close");
    ApiErrors.send(ctx, new ApiException(status, "invalid_request_error", null, message));
    ctx.request().connection().close();
  }
}
