package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole worker app (Quarkus, CDI wiring, embedded default config, background loading,
 * Prometheus at /metrics) with the fake model loader.
 */
@QuarkusTest
@TestProfile(FakeModelProfile.class)
class WorkerAppIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** What Prometheus 2.x sends when it scrapes. */
  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  @TestHTTPResource("/")
  URL root;

  @BeforeEach
  void loaded() {
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/started").statusCode() == 200);
  }

  @Test
  void servesTheEmbeddedDefaultModelAndExportsExactServiceMetrics() throws Exception {
    OpenAIClient client =
        OpenAIOkHttpClient.builder().baseUrl(url("/v1")).apiKey("none").maxRetries(0).build();
    assertThat(client.models().list().data().get(0).id()).isEqualTo("tiny-shakespeare");
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("tiny-shakespeare")
                    .addUserMessage("hi")
                    .maxCompletionTokens(3)
                    .build());
    assertThat(c.choices().get(0).message().content().orElseThrow()).hasSize(3);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);

    for (String accept : new String[] {"text/plain", PROMETHEUS_ACCEPT}) {
      HttpResponse<String> scrape = get("/metrics", "Accept", accept);
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(seriesNames(scrape.body()))
          .as(accept)
          .containsExactly(
              "cairn_generation_tokens_total",
              "cairn_model_load_progress_ratio",
              "cairn_ongoing_requests",
              "cairn_prompt_tokens_total",
              "cairn_request_duration_seconds_bucket",
              "cairn_request_duration_seconds_count",
              "cairn_request_duration_seconds_max",
              "cairn_request_duration_seconds_sum",
              "cairn_requests_rejected_total",
              "cairn_requests_total");
    }
    HttpResponse<String> metrics = get("/metrics", "Accept", "text/plain");
    assertThat(metrics.body())
        .contains(
            "cairn_requests_total{endpoint=\"/v1/chat/completions\",model_name=\"tiny-shakespeare\",status=\"200\",} 1.0")
        .contains("cairn_generation_tokens_total{model_name=\"tiny-shakespeare\",} 3.0")
        .contains("cairn_model_load_progress_ratio{model_name=\"tiny-shakespeare\",} 1.0")
        .contains("jvm_memory_used_bytes")
        .contains("process_cpu_usage");
  }

  @Test
  void unknownRoutesAnswerInOpenAiFormat() throws Exception {
    HttpResponse<String> r = get("/nope");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":404").contains("No route for GET /nope");
    HttpResponse<String> wrongMethod = get("/v1/chat/completions");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).contains("\"code\":405");
  }

  private String url(String path) {
    return URI.create(root.toString()).resolve(path).toString();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The distinct names of the cairn_* samples, as Prometheus stores them. */
  static Set<String> seriesNames(String exposition) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^(cairn_[a-z_]+)[{ ]").matcher(exposition);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
