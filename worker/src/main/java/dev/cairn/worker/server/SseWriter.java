package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpServerResponse;

/** Frames server-sent events the way OpenAI streams: {@code data: <json>\n\n}, then [DONE]. */
final class SseWriter {
  static final String DONE = "data: [DONE]\n\n";

  private final HttpServerResponse response;

  SseWriter(HttpServerResponse response) {
    this.response = response;
  }

  /** Sends the 200 status and event-stream headers; chunked, so each event flushes. */
  void open() {
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
  }

  static String frame(JsonNode event) {
    return "data: " + event.toString() + "\n\n";
  }

  void send(JsonNode event) {
    if (!response.closed()) {
      response.write(frame(event));
    }
  }

  /** Writes {@code data: [DONE]} and ends the response. */
  void done() {
    if (!response.closed() && !response.ended()) {
      response.end(DONE);
    }
  }
}
