package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scrapes real HTTP servers on loopback; a slow pod must cost a sample, never the others'. */
class MetricsScraperTest {
  private static final String PAGE =
      """
      # HELP cairn_ongoing_requests Requests accepted and not finished.
      # TYPE cairn_ongoing_requests gauge
      cairn_ongoing_requests{model_name="qwen"} 2.5
      cairn_ongoing_requests{model_name="qwen-lora"} 1.5e0
      cairn_requests_total{model_name="qwen",status="200"} 42
      """;
  // Generous: only guards against a hang, asserts nothing about speed.
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  private final List<HttpServer> servers = new ArrayList<>();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  // Long enough for a loaded CI machine to answer a loopback request; only the slow pod hits it.
  private final MetricsScraper scraper = new MetricsScraper(Duration.ofSeconds(3));

  @AfterEach
  void stopServers() {
    releaseSlow.countDown();
    servers.forEach(s -> s.stop(0));
    scraper.close();
  }

  private int serve(HttpHandler handler) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", handler);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  private static HttpHandler respond(int status, String body) {
    return exchange -> write(exchange, status, body);
  }

  private static void write(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private HttpHandler sleepPastTheTimeout() {
    return exchange -> {
      try {
        releaseSlow.await(60, TimeUnit.SECONDS);
        write(exchange, 200, PAGE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static ScrapeTarget target(String pod, int port) {
    return new ScrapeTarget(pod, "127.0.0.1", port);
  }

  @Test
  void sumsTheSeriesOfEachPod() throws IOException {
    int port = serve(respond(200, PAGE));
    List<ScrapeResult> results =
        assertTimeoutPreemptively(HANG_GUARD, () -> scraper.scrape(List.of(target("a", port))));
    assertThat(results).containsExactly(ScrapeResult.of("a", 4.0));
  }

  @Test
  void readsTheOtherSignalsAPodExportsAndLeavesOutTheRest() throws IOException {
    String page =
        PAGE
            + "vllm:num_requests_waiting{model_name=\"m\",engine=\"0\"} 3\n"
            + "vllm:kv_cache_usage_perc{model_name=\"m\",engine=\"0\"} 0.5\n";
    int port = serve(respond(200, page));
    List<ScrapeResult> results =
        assertTimeoutPreemptively(HANG_GUARD, () -> scraper.scrape(List.of(target("a", port))));
    // No cairn_generation_tokens_total on this page: tokens/s stays absent, never 0.
    assertThat(results)
        .containsExactly(
            ScrapeResult.of(
                "a", 4.0, Map.of(Signal.WAITING_REQUESTS, 3.0, Signal.KV_CACHE_USAGE, 0.5)));
  }

  @Test
  void slowPodYieldsNoSampleWhileTheFastOneAnswers() throws IOException {
    int fast = serve(respond(200, PAGE));
    int slow = serve(sleepPastTheTimeout());
    List<ScrapeResult> results =
        assertTimeoutPreemptively(
            HANG_GUARD, () -> scraper.scrape(List.of(target("slow", slow), target("fast", fast))));
    assertThat(results).hasSize(2);
    assertThat(results.get(0).podName()).isEqualTo("slow");
    assertThat(results.get(0).ongoingRequests()).isEmpty();
    assertThat(results.get(0).failure()).isEqualTo("no answer within 3000 ms");
    assertThat(results.get(1)).isEqualTo(ScrapeResult.of("fast", 4.0));
  }

  @Test
  void failuresAreNoSampleNeverZero() throws IOException {
    int error = serve(respond(500, "boom"));
    int nan = serve(respond(200, "cairn_ongoing_requests{model_name=\"q\"} NaN\n"));
    int absent = serve(respond(200, "cairn_requests_total 3\n"));
    int garbage = serve(respond(200, "cairn_ongoing_requests{model_name=\"q\" 1\n"));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    List<ScrapeTarget> targets =
        List.of(
            target("error", error),
            target("nan", nan),
            target("absent", absent),
            target("garbage", garbage),
            target("refused", closed));
    List<ScrapeResult> results =
        assertTimeoutPreemptively(HANG_GUARD, () -> scraper.scrape(targets));
    assertThat(results).allSatisfy(r -> assertThat(r.ongoingRequests()).isEmpty());
    assertThat(results.get(0).failure()).isEqualTo("HTTP 500");
    assertThat(results.get(1).failure()).isEqualTo("cairn_ongoing_requests{model_name=q} is NaN");
    assertThat(results.get(2).failure()).isEqualTo("cairn_ongoing_requests not exported");
    assertThat(results.get(3).failure()).startsWith("malformed metrics: line 1:");
    assertThat(results.get(4).failure()).contains("ConnectException");
  }

  @Test
  void zeroIsAValidSample() throws IOException {
    int port = serve(respond(200, "cairn_ongoing_requests{model_name=\"q\"} 0\n"));
    assertThat(scraper.scrape(List.of(target("idle", port))))
        .containsExactly(ScrapeResult.of("idle", 0.0));
  }

  @Test
  void ipv6AddressesAreBracketed() {
    assertThat(new ScrapeTarget("p", "fd00::1", 8000).metricsUri().toString())
        .isEqualTo("http://[fd00::1]:8000/metrics");
  }
}
