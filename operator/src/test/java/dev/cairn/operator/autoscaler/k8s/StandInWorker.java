package dev.cairn.operator.autoscaler.k8s;

import com.sun.net.httpserver.HttpServer;
import dev.cairn.api.MetricNames;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's {@code /metrics} on a loopback alias, reporting as many ongoing requests as the test
 * sets: it stands in for the worker process so the operator's loop is exercised end to end.
 */
final class StandInWorker implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger ongoing = new AtomicInteger();
  private final AtomicInteger scrapes = new AtomicInteger();

  StandInWorker(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext(
        "/metrics",
        exchange -> {
          scrapes.incrementAndGet();
          byte[] body =
              ("# TYPE %s gauge\n%s{model_name=\"tiny\"} %d\n"
                      .formatted(
                          MetricNames.ONGOING_REQUESTS,
                          MetricNames.ONGOING_REQUESTS,
                          ongoing.get()))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  void ongoing(int n) {
    ongoing.set(n);
  }

  int scrapes() {
    return scrapes.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
