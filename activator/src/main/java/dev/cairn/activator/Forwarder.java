package dev.cairn.activator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Sends one request, its body already read, to a ready replica and relays the answer byte for byte
 * as it comes, so a stream stays a stream. Headers pass unchanged (Authorization included) except
 * the hop-by-hop ones a proxy must not forward.
 */
final class Forwarder {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "content-length");

  private final HttpClient client;

  Forwarder(HttpClient client) {
    this.client = client;
  }

  /**
   * Forwards {@code request} to {@code target} ({@code host:port}).
   *
   * @param firstByte called once with the time of the first response byte relayed
   */
  void forward(HttpServerRequest request, Buffer body, String target, LongConsumer firstByte) {
    HttpServerResponse response = request.response();
    int colon = target.lastIndexOf(':');
    RequestOptions options =
        new RequestOptions()
            .setHost(target.substring(0, colon))
            .setPort(Integer.parseInt(target.substring(colon + 1)))
            .setMethod(request.method())
            .setURI(request.uri());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    copy(request.headers(), headers);
    options.setHeaders(headers);
    client
        .request(options)
        .compose(
            upstream -> {
              // A client that goes away aborts the replica's request too (frees its KV blocks).
              response.closeHandler(v -> upstream.reset());
              return upstream.send(body);
            })
        .onSuccess(upstream -> relay(upstream, response, firstByte))
        .onFailure(e -> OpenAiErrors.upstreamFailed(response, e.getMessage()));
  }

  private static void relay(
      HttpClientResponse upstream, HttpServerResponse response, LongConsumer firstByte) {
    response.setStatusCode(upstream.statusCode());
    response.setStatusMessage(upstream.statusMessage());
    copy(upstream.headers(), response.headers());
    if (upstream.getHeader("Content-Length") == null) {
      response.setChunked(true);
    }
    boolean[] first = {true};
    upstream.handler(
        chunk -> {
          if (first[0]) {
            first[0] = false;
            firstByte.accept(System.nanoTime());
          }
          response.write(chunk);
          if (response.writeQueueFull()) {
            upstream.pause();
            response.drainHandler(v -> upstream.resume());
          }
        });
    upstream.endHandler(
        v -> {
          if (first[0]) {
            firstByte.accept(System.nanoTime());
          }
          response.end();
        });
    upstream.exceptionHandler(e -> response.reset());
  }

  private static void copy(MultiMap from, MultiMap to) {
    from.forEach(
        (name, value) -> {
          if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            to.add(name, value);
          }
        });
  }
}
