package dev.cairn.operator.usage;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A usage-statistics receiver on loopback: records every POST and answers as told. */
final class UsageReceiver implements AutoCloseable {
  /** How the receiver answers. */
  enum Mode {
    OK,
    ERROR_500,
    SLOW
  }

  private final HttpServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.OK;
  private volatile Duration slowness = Duration.ofSeconds(10);

  private UsageReceiver(HttpServer server) {
    this.server = server;
  }

  /** Starts on 127.0.0.1, on {@code port} (0: a free one). */
  static UsageReceiver start(int port) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      UsageReceiver receiver = new UsageReceiver(server);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/usage", receiver::handle);
      server.start();
      return receiver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    Mode now = mode;
    if (now == Mode.SLOW) {
      try {
        Thread.sleep(slowness);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    exchange.sendResponseHeaders(now == Mode.ERROR_500 ? 500 : 204, -1);
    exchange.close();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/usage");
  }

  void answer(Mode mode) {
    this.mode = mode;
  }

  void slowness(Duration d) {
    this.slowness = d;
  }

  /** Every POST body received so far, in order. */
  List<String> bodies() {
    return List.copyOf(bodies);
  }

  int count() {
    return bodies.size();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
