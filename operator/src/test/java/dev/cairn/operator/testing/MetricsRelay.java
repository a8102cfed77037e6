package dev.cairn.operator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands at a mock pod's IP and port and passes each {@code GET /metrics} on to a real worker,
 * counting them: each autoscaling cycle scrapes every ready pod once, so the count tells a test how
 * many cycles the operator ran. The worker's answer goes back unchanged (status, body, type).
 */
public final class MetricsRelay implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI worker;
  private final AtomicInteger scrapes = new AtomicInteger();

  private MetricsRelay(HttpServer server, URI worker) {
    this.server = server;
    this.worker = worker;
  }

  /** Listens on {@code host:port} and relays to {@code worker} (its base URI). */
  public static MetricsRelay start(String host, int port, URI worker) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
      MetricsRelay relay = new MetricsRelay(server, worker);
      server.createContext("/metrics", relay::relay);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
  }

  /** Scrapes relayed so far. */
  public int scrapes() {
    return scrapes.get();
  }

  private void relay(HttpExchange exchange) throws IOException {
    scrapes.incrementAndGet();
    try (exchange) {
      HttpResponse<byte[]> answer;
      try {
        answer =
            http.send(
                HttpRequest.newBuilder(worker.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        exchange.sendResponseHeaders(502, -1);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      answer
          .headers()
          .firstValue("Content-Type")
          .ifPresent(t -> exchange.getResponseHeaders().set("Content-Type", t));
      exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
