package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.CairnNames;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.WorkerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "Tokens per API key" row on a real Prometheus 2.42 scraping a real worker that holds two
 * named keys: each panel answers per key name and kind, and the counts Prometheus holds are the
 * usage the worker reported to each key's client.
 */
class ApiKeyTokensDashboardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GUARD = Duration.ofSeconds(60);
  private static final String DEPLOYMENT = "keys";
  private static final String MODEL = "tiny-shakespeare";
  private static final String SPEC =
      """
      {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
       "accelerator": {"type": "cpu", "count": 0}, "replicas": 1,
       "engine": {"maxNumSeqs": 4, "maxNumBatchedTokens": 512, "kvCacheMemory": "64Mi"}}
      """;

  private static WorkerProcess worker;
  private static PrometheusProcess prometheus;

  @BeforeAll
  static void start() {
    worker =
        WorkerProcess.builder()
            .host("127.0.0.3")
            .configJson(SPEC)
            .env(CairnNames.ENV_API_KEY, "# billing\nalice:key-a\nbob:key-b\n")
            .start();
    prometheus =
        PrometheusProcess.builder()
            .scrapeInterval("1s")
            .scrape(
                PrometheusProcess.ScrapeJob.of(
                    "worker",
                    worker.address(),
                    Map.of("namespace", "llm", "deployment", DEPLOYMENT)))
            .start();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  /** The usage one key's client was told, by kind ({@code prompt}, {@code generated}). */
  private record Usage(String keyName, Map<String, Integer> byKind) {}

  @Test
  void panelsAnswerPerKeyNameWithTheUsageEachClientWasTold() throws Exception {
    prometheus.awaitTargetsUp(GUARD);
    List<Usage> usages = List.of(complete("alice", "key-a", 3), complete("bob", "key-b", 7));
    assertThat(
            worker.post("/v1/completions", body(2), "Authorization", "Bearer key-c").statusCode())
        .isEqualTo(401);

    for (Usage usage : usages) {
      usage.byKind().forEach((kind, tokens) -> assertStored(usage.keyName(), kind, tokens));
    }
    for (String title : List.of("Tokens/s per API key", "Tokens per API key (selected range)")) {
      JsonNode r = prometheus.awaitResult(panel(title) + " > 0", GUARD);
      assertThat(r)
          .as(title)
          .extracting(
              s -> s.at("/metric/api_key_name").asText() + " " + s.at("/metric/kind").asText())
          .containsExactlyInAnyOrder(
              "alice prompt", "alice generated", "bob prompt", "bob generated");
    }
  }

  /** Prometheus holds exactly {@code tokens} for this key name and kind, under the model's name. */
  private static void assertStored(String keyName, String kind, int tokens) {
    String q =
        "%s{deployment=\"%s\",api_key_name=\"%s\",kind=\"%s\"}"
            .formatted(MetricNames.TOKENS_TOTAL, DEPLOYMENT, keyName, kind);
    JsonNode r = prometheus.awaitResult(q + " == " + tokens, GUARD);
    assertThat(r).as(q).hasSize(1);
    assertThat(r.get(0).at("/metric/model_name").asText()).isEqualTo(MODEL);
  }

  private static Usage complete(String keyName, String key, int maxTokens) throws Exception {
    HttpResponse<String> r =
        worker.post("/v1/completions", body(maxTokens), "Authorization", "Bearer " + key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode usage = JSON.readTree(r.body()).path("usage");
    return new Usage(
        keyName,
        Map.of(
            MetricNames.KIND_PROMPT, usage.path("prompt_tokens").asInt(),
            MetricNames.KIND_GENERATED, usage.path("completion_tokens").asInt()));
  }

  private static String body(int maxTokens) throws Exception {
    return JSON.writeValueAsString(
        Map.of(
            "model",
            MODEL,
            "prompt",
            "ROMEO:",
            "max_tokens",
            maxTokens,
            "temperature",
            0,
            "ignore_eos",
            true));
  }

  /** The runnable query of the panel with this title, for this deployment over 5 minutes. */
  private static String panel(String title) {
    List<DashboardQueries.Query> matching =
        DashboardQueries.runnable(
                DashboardQueries.load(DashboardJsonTest.LLM),
                Map.of("deployment", DEPLOYMENT, "__range", "5m", "__interval", "1s"))
            .stream()
            .filter(q -> q.source().endsWith(" " + title))
            .toList();
    assertThat(matching).as(title).hasSize(1);
    return matching.get(0).expr();
  }
}
