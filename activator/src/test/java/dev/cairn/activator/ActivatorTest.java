package dev.cairn.activator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.activator.ActivatorRoute;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The activator over real HTTP on loopback, with a small streaming upstream standing in for a
 * replica: holding, releasing, bounds and disconnects. The end-to-end version with the operator and
 * real workers is {@code ScaleToZeroIT}.
 */
class ActivatorTest {
  private static final String NS = "team-a";
  private static final String NAME = "tiny";

  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private Activator activator;
  private HttpServer upstream;
  private final List<String> seenAuthorization = new ArrayList<>();
  private int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    activator = new Activator(vertx, registry, "127.0.0.1");
    activator.start(freePort()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    upstream =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              synchronized (seenAuthorization) {
                                seenAuthorization.add(req.getHeader("Authorization"));
                              }
                              var resp =
                                  req.response()
                                      .setChunked(true)
                                      .putHeader("Content-Type", "text/event-stream");
                              resp.write("data: {\"echo\":" + body + "}\n\n");
                              vertx.setTimer(50, t -> resp.end("data: [DONE]\n\n"));
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    port = freePort();
  }

  @AfterEach
  void stop() {
    activator.close();
    vertx.close();
  }

  private ActivatorRoute route(int queueSize, int timeoutSeconds, List<String> targets) {
    return new ActivatorRoute(NS, NAME, port, queueSize, timeoutSeconds, targets);
  }

  private void apply(ActivatorRoute route) throws Exception {
    activator
        .apply(Map.of(route.key(), route))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> send(String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
            .header("Authorization", "Bearer sk-test")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private String upstreamTarget() {
    return "127.0.0.1:" + upstream.actualPort();
  }

  @Test
  void heldRequestsAreForwardedUnchangedOnceAReplicaIsReady() throws Exception {
    apply(route(10, 60, List.of()));
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(send("{\"n\":" + i + "}"));
    }
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 5);
    assertThat(registry.scrape())
        .contains("cairn_activator_held_requests{deployment=\"tiny\",namespace=\"team-a\",} 5.0");

    apply(route(10, 60, List.of(upstreamTarget())));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = sent.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      assertThat(r.body()).isEqualTo("data: {\"echo\":{\"n\":" + i + "}}\n\ndata: [DONE]\n\n");
    }
    assertThat(seenAuthorization).hasSize(5).containsOnly("Bearer sk-test");
    assertThat(activator.held(NS, NAME)).hasValue(0);
    assertThat(registry.scrape())
        .contains(
            "cairn_activator_cold_start_seconds_count{deployment=\"tiny\",namespace=\"team-a\",}"
                + " 5.0");
  }

  @Test
  void withAReadyReplicaRequestsPassStraightThrough() throws Exception {
    apply(route(10, 60, List.of(upstreamTarget())));
    HttpResponse<String> r = send("{\"n\":7}").get(10, TimeUnit.SECONDS);
    assertThat(r.body()).startsWith("data: {\"echo\":{\"n\":7}}");
    assertThat(registry.scrape())
        .contains(
            "cairn_activator_cold_start_seconds_count{deployment=\"tiny\",namespace=\"team-a\",}"
                + " 0.0");
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAndKeepsWhatItHolds() throws Exception {
    apply(route(2, 60, List.of()));
    var first = send("{\"n\":1}");
    var second = send("{\"n\":2}");
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 2);
    HttpResponse<String> refused = send("{\"n\":3}").get(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.body())
        .contains("\"type\":\"overloaded\"")
        .contains("\"code\":503")
        .contains("scaleFromZero.queueSize");
    apply(route(2, 60, List.of(upstreamTarget())));
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(registry.scrape()).contains("reason=\"queue_full\",} 1.0");
  }

  @Test
  void aRequestHeldPastTheTimeoutGets504() throws Exception {
    apply(route(10, 1, List.of()));
    HttpResponse<String> r = send("{}").get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body())
        .contains("\"type\":\"timeout\"")
        .contains("\"code\":504")
        .contains("within 1 s");
    assertThat(activator.held(NS, NAME)).hasValue(0);
  }

  @Test
  void aClientThatDisconnectsLeavesTheQueue() throws Exception {
    apply(route(1, 60, List.of()));
    var gone = send("{\"n\":1}");
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 1);
    gone.cancel(true);
    http.shutdownNow();
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 0);
    HttpClient other = HttpClient.newHttpClient();
    var next =
        other.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":2}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 1);
    apply(route(1, 60, List.of(upstreamTarget())));
    assertThat(next.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aRemovedRouteDropsItsSeries() throws Exception {
    apply(route(10, 60, List.of()));
    assertThat(registry.scrape()).contains("cairn_activator_held_requests{");
    activator.apply(Map.of()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(registry.scrape()).doesNotContain("cairn_activator_held_requests{");
    assertThat(activator.held(NS, NAME)).isEmpty();
  }

  @Test
  void aDeploymentPortAnswersMetricsWithThatDeploymentsSeriesOnly() throws Exception {
    ActivatorRoute mine = route(10, 60, List.of());
    ActivatorRoute other = new ActivatorRoute("team-b", NAME, freePort(), 10, 60, List.of());
    activator
        .apply(Map.of(mine.key(), mine, other.key(), other))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    send("{\"n\":1}");
    awaitTrue(() -> activator.held(NS, NAME).orElse(-1) == 1);

    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> t.startsWith("text/plain"));
    assertThat(r.body())
        .contains("# TYPE cairn_activator_held_requests gauge")
        .contains("cairn_activator_held_requests{deployment=\"tiny\",namespace=\"team-a\",} 1.0")
        .contains("cairn_activator_cold_start_seconds_bucket{")
        .doesNotContain("team-b");
    assertThat(activator.held(NS, NAME)).hasValue(1);
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
