package dev.cairn.worker.server;

import dev.cairn.worker.server.fake.FakeEngine;
import dev.cairn.worker.server.fake.FakeModels;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The worker's real routes on a plain Vert.x server (no Quarkus boot: starts in milliseconds), with
 * the fake engine behind them, on a random loopback port.
 */
final class TestServer implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final WorkerState state = new WorkerState();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final ServiceMetrics metrics =
      new ServiceMetrics(registry, FakeModels.MODEL_ID, state, System::nanoTime);
  final FakeEngine engine = new FakeEngine(FakeModels.MAX_MODEL_LEN);
  final HttpServer server;
  final HttpClient http = HttpClient.newHttpClient();

  TestServer(Optional<String> apiKey, boolean loaded) throws Exception {
    this(apiKey, loaded, new HttpServerOptions(), null);
  }

  /**
   * @param options server options (an idle timeout, for instance)
   * @param bodyReadTimeout when set, the {@link SlowClientGuard} runs with it
   */
  TestServer(
      Optional<String> apiKey, boolean loaded, HttpServerOptions options, Duration bodyReadTimeout)
      throws Exception {
    Router router = Router.router(vertx);
    RequestSizeLimits.install(router);
    if (bodyReadTimeout != null) {
      new SlowClientGuard(bodyReadTimeout).install(router);
    }
    new HealthRoutes(state).install(router);
    new OpenAiRoutes(state, metrics, apiKey, () -> 1_700_000_123L).install(router);
    router.get("/metrics").handler(ctx -> ctx.response().end(registry.scrape()));
    if (loaded) {
      state.ready(FakeModels.served(engine));
    }
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    engine.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
