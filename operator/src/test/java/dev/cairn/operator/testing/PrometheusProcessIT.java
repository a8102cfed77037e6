package dev.cairn.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The helper scrapes a static target with extra labels and answers PromQL over what it scraped. */
class PrometheusProcessIT {
  private HttpServer target;
  private final AtomicInteger scrapes = new AtomicInteger();

  @BeforeEach
  void serveMetrics() throws IOException {
    target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    target.createContext(
        "/metrics",
        exchange -> {
          int n = scrapes.incrementAndGet();
          byte[] body =
              ("# TYPE cairn_requests_total counter\n"
                      + "cairn_requests_total{model_name=\"tiny\",status=\"200\"} "
                      + (10 * n)
                      + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    target.start();
  }

  @AfterEach
  void stop() {
    target.stop(0);
  }

  @Test
  void scrapesATargetWithStaticLabels() {
    String address = "127.0.0.1:" + target.getAddress().getPort();
    try (PrometheusProcess prom =
        PrometheusProcess.builder()
            .scrapeInterval("1s")
            .scrape(
                PrometheusProcess.ScrapeJob.of(
                    "worker", address, Map.of("namespace", "llm", "deployment", "tiny")))
            .start()) {
      prom.awaitTargetsUp(Duration.ofSeconds(30));
      JsonNode result =
          prom.awaitResult(
              "rate(cairn_requests_total{namespace=\"llm\", deployment=\"tiny\"}[1m])",
              Duration.ofSeconds(30));
      assertThat(result).hasSize(1);
      assertThat(result.get(0).at("/metric/model_name").asText()).isEqualTo("tiny");
      assertThat(result.get(0).at("/metric/instance").asText()).isEqualTo(address);
      assertThat(scrapes.get()).isGreaterThanOrEqualTo(2);
    }
  }
}
