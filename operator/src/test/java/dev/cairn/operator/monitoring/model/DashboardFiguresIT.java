package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.PrometheusProcess.ScrapeJob;
import dev.cairn.worker.testing.PrometheusProcess.TargetGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LLM dashboard's per-request figures on a real Prometheus 2.42 that has scraped for a few
 * seconds only, with the global evaluation interval left long (1 h) as a fresh or a busy Prometheus
 * may have it. The scraped exporter advances every counter by a fixed amount per scrape, so the
 * expected ratios are exact whatever the scrape timing: per scrape, 2 completions and 1 chat
 * completion answer 200, 1 completion answers 400, 9 {@code GET /v1/models} answer 200, and 30
 * prompt plus 60 generated tokens are counted. The exporter is scraped twice: as a plain static
 * target ({@code deployment="plain"}) and as Prometheus Operator scrapes a ServiceMonitor's target,
 * whose own {@code endpoint} label (the port name) turns the worker's into {@code
 * exported_endpoint} ({@code deployment="operator"}); every figure holds for both.
 */
class DashboardFiguresIT {
  private static final Duration GUARD = Duration.ofSeconds(30);
  private static final String LLM = DashboardJsonTest.LLM;

  private static final List<String> DEPLOYMENTS = List.of("plain", "operator");

  private static HttpServer exporter;
  private static PrometheusProcess prometheus;

  @BeforeAll
  static void start() throws IOException {
    AtomicLong scrapes = new AtomicLong();
    exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    exporter.createContext(
        "/metrics",
        exchange -> {
          byte[] body = page(scrapes.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    exporter.start();
    String target = "127.0.0.1:" + exporter.getAddress().getPort();
    prometheus =
        PrometheusProcess.builder()
            .scrapeInterval("1h")
            .scrape(job("plain", target, Map.of()))
            .scrape(job("operator", target, Map.of("endpoint", "http")))
            .start();
    // Three scrapes of each: enough samples for every rate in the rate window.
    String models = MetricNames.REQUESTS_TOTAL + "{%s=\"/v1/models\"}";
    prometheus.awaitResult(
        "count_over_time(%s[1m]) >= 3 and on() count_over_time(%s[1m]) >= 3"
            .formatted(models.formatted("endpoint"), models.formatted("exported_endpoint")),
        GUARD);
  }

  private static ScrapeJob job(String deployment, String target, Map<String, String> extra) {
    Map<String, String> labels = new HashMap<>(extra);
    labels.put("namespace", "llm");
    labels.put("deployment", deployment);
    return new ScrapeJob(
        deployment,
        List.of(new TargetGroup(List.of(target), labels)),
        "/metrics",
        false,
        "1s",
        List.of());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      exporter.stop(0);
    }
  }

  @Test
  void peakTokensPerSecondAnswersWithoutWaitingForTheEvaluationInterval() {
    for (String deployment : DEPLOYMENTS) {
      JsonNode peak = prometheus.awaitResult(panel("Peak tokens per second", deployment), GUARD);
      assertThat(peak).as(deployment).hasSize(1);
      // rate() divides by the whole 1 m window, so a few seconds of samples give a small but
      // positive figure; the point is that it is there.
      assertThat(peak.get(0).at("/value/1").asDouble()).as(deployment).isPositive();
    }
  }

  @Test
  void averageTokensPerRequestDividesBySuccessfulCompletionsOnly() {
    for (String deployment : DEPLOYMENTS) {
      JsonNode avg = prometheus.queryResult(panel("Average tokens per request", deployment));
      assertThat(avg).as(deployment).hasSize(1);
      assertThat(avg.get(0).at("/value/1").asDouble())
          .as(deployment)
          .isCloseTo(90.0 / 3, within(1e-6));
    }
  }

  @Test
  void throughputCountsSuccessfulCompletionsOnlyPerRoute() {
    for (String deployment : DEPLOYMENTS) {
      String throughput = panel("Throughput", deployment);
      assertThat(prometheus.queryResult(throughput))
          .as(deployment)
          .extracting(s -> s.at("/metric/route").asText())
          .containsExactlyInAnyOrder("/v1/completions", "/v1/chat/completions");
      assertThat(perGeneratedToken("sum(%s)".formatted(throughput), "rate", deployment))
          .as(deployment)
          .isCloseTo(3.0 / 60, within(1e-9));
    }
  }

  @Test
  void requestsPerModelCountsSuccessfulCompletionsOnly() {
    for (String deployment : DEPLOYMENTS) {
      String perModel = panel("Requests per model", deployment);
      assertThat(prometheus.queryResult(perModel)).as(deployment).hasSize(1);
      assertThat(perGeneratedToken("sum(%s)".formatted(perModel), "increase", deployment))
          .as(deployment)
          .isCloseTo(3.0 / 60, within(1e-9));
    }
  }

  @Test
  void fixedWindowStatsAnswerOnAShortScrapeAndCountCompletionsOnly() {
    for (String deployment : DEPLOYMENTS) {
      assertThat(single(panel("Tokens last 24 hours", deployment))).as(deployment).isPositive();
      assertThat(single(panel("Input:generated ratio (24 h)", deployment)))
          .as(deployment)
          .isCloseTo(30.0 / 60, within(1e-9));
      assertThat(single(panel("Average tokens per request per model (7 d)", deployment)))
          .as(deployment)
          .isCloseTo(90.0 / 3, within(1e-6));
      String requests = panel("Requests per model (last week)", deployment);
      // Per generated token over the same 7 d window, so the ratio is exact: 3 completions per 60.
      String perToken =
          "sum(%s) / sum(increase(%s{deployment=\"%s\"}[7d]))"
              .formatted(requests, MetricNames.GENERATION_TOKENS_TOTAL, deployment);
      assertThat(single(perToken)).as(deployment).isCloseTo(3.0 / 60, within(1e-9));
    }
  }

  /** The value of a query that must answer with exactly one series. */
  private static double single(String promql) {
    JsonNode r = prometheus.queryResult(promql);
    assertThat(r).as(promql).hasSize(1);
    return r.get(0).at("/value/1").asDouble();
  }

  /**
   * The runnable query of the LLM dashboard's only target on the panel with this title, for one
   * deployment over a short range with the $__interval Grafana picks for it with a 1 s scrape.
   */
  private static String panel(String title, String deployment) {
    Map<String, String> chosen =
        Map.of("deployment", deployment, "__range", "5m", "__interval", "1s");
    List<DashboardQueries.Query> matching =
        DashboardQueries.runnable(DashboardQueries.load(LLM), chosen).stream()
            .filter(q -> q.source().endsWith(" " + title))
            .toList();
    assertThat(matching).as(title).hasSize(1);
    return matching.get(0).expr();
  }

  /**
   * {@code figure} per generated token of the deployment ({@code fn} is rate or increase over 1 m),
   * both evaluated at the same instant so the ratio is exact.
   */
  private static double perGeneratedToken(String figure, String fn, String deployment) {
    String promql =
        "(%s) / sum(%s(%s{deployment=\"%s\"}[1m]))"
            .formatted(figure, fn, MetricNames.GENERATION_TOKENS_TOTAL, deployment);
    JsonNode r = prometheus.queryResult(promql);
    assertThat(r).as(promql).hasSize(1);
    return r.get(0).at("/value/1").asDouble();
  }

  /** The exporter's page after {@code n} scrapes. */
  private static String page(long n) {
    String model = "model_name=\"tiny\"";
    return """
        # TYPE %1$s counter
        %1$s{%2$s,endpoint="/v1/completions",status="200"} %3$d
        %1$s{%2$s,endpoint="/v1/chat/completions",status="200"} %4$d
        %1$s{%2$s,endpoint="/v1/completions",status="400"} %4$d
        %1$s{%2$s,endpoint="/v1/models",status="200"} %5$d
        # TYPE %6$s counter
        %6$s{%2$s} %7$d
        # TYPE %8$s counter
        %8$s{%2$s} %9$d
        """
        .formatted(
            MetricNames.REQUESTS_TOTAL,
            model,
            2 * n,
            n,
            9 * n,
            MetricNames.PROMPT_TOKENS_TOTAL,
            30 * n,
            MetricNames.GENERATION_TOKENS_TOTAL,
            60 * n);
  }
}
