package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;

/** Writes errors in OpenAI's format, as a response body or as one SSE event. */
public final class ApiErrors {
  private ApiErrors() {}

  /** {@code {"error": {...}}}. */
  public static ObjectNode body(ApiException e) {
    ObjectNode error = JsonNodeFactory.instance.objectNode();
    error.put("message", e.getMessage());
    error.put("type", e.type());
    if (e.param() == null) {
      error.putNull("param");
    } else {
      error.put("param", e.param());
    }
    error.put("code", e.status());
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("error", error);
    return root;
  }

  /** Maps any failure to an {@link ApiException}: unknown ones are 500s. */
  public static ApiException of(Throwable t) {
    if (t instanceof ApiException e) {
      return e;
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new ApiException(500, "server_error", null, msg);
  }

  /** Ends the response with the error, unless headers already went out. */
  public static void send(RoutingContext ctx, ApiException e) {
    if (ctx.response().headWritten() || ctx.response().closed()) {
      return;
    }
    if (e.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    ctx.response()
        .setStatusCode(e.status())
        .putHeader("Content-Type", "application/json")
        .end(body(e).toString());
  }
}
