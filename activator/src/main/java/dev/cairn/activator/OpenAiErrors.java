package dev.cairn.activator;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Error answers in OpenAI's shape: {@code {"error": {message, type, param, code}}}. */
final class OpenAiErrors {
  private OpenAiErrors() {}

  /** 503 with Retry-After: the hold queue is full. */
  static void queueFull(HttpServerResponse response, int retryAfterSeconds) {
    response.putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    send(
        response,
        503,
        "overloaded",
        "the deployment is starting from zero and already holds its maximum of requests"
            + " (autoscaling.scaleFromZero.queueSize); retry later");
  }

  /** 504: no replica became ready within the hold timeout. */
  static void timedOut(HttpServerResponse response, int timeoutSeconds) {
    send(
        response,
        504,
        "timeout",
        "no replica became ready within "
            + timeoutSeconds
            + " s (autoscaling.scaleFromZero.timeoutSeconds)");
  }

  /** 502: the ready replica could not be reached. */
  static void upstreamFailed(HttpServerResponse response, String why) {
    send(response, 502, "upstream_error", "forwarding to the replica failed: " + why);
  }

  /** 404: no deployment is routed to this port (a stale endpoint). */
  static void noRoute(HttpServerResponse response) {
    send(response, 404, "not_found", "no deployment is routed to this activator port");
  }

  private static void send(HttpServerResponse response, int status, String type, String message) {
    if (response.headWritten() || response.closed()) {
      return;
    }
    JsonObject error =
        new JsonObject()
            .put("message", message)
            .put("type", type)
            .putNull("param")
            .put("code", status);
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }
}
