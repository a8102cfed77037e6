package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.server.fake.FakeModels;
import dev.cairn.worker.testing.MetricsText;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Load shedding over HTTP: a full engine answers 503 with Retry-After in OpenAI's error shape and
 * counts it; the official Java client retries those 503s; a request past its deadline gets a 504.
 */
class ServerOverloadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COMPLETION = "{\"prompt\":\"hi\",\"max_tokens\":3}";

  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(Optional.empty(), true);
    server.engine.maxInFlight = 1;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aFullEngineAnswers503WithRetryAfterAndCountsIt() throws Exception {
    try (Socket held = holdTheOnlySlot()) {
      HttpResponse<String> r = server.post("/v1/completions", COMPLETION);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).contains("1");
      JsonNode error = JSON.readTree(r.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("service_unavailable");
      assertThat(error.get("code").asInt()).isEqualTo(503);
      assertThat(error.get("message").asText()).contains("at capacity");
      assertThat(error.has("param")).isTrue();

      MetricsText m = MetricsText.parse(server.registry.scrape());
      assertThat(m.value(MetricNames.REQUESTS_TOTAL, Map.of("status", "503"))).isEqualTo(1);
      assertThat(m.value(MetricNames.REQUESTS_REJECTED_TOTAL, Map.of("reason", "queue_full")))
          .isEqualTo(1);
      assertThat(m.value(MetricNames.REQUESTS_REJECTED_TOTAL, Map.of("reason", "not_ready")))
          .isZero();
      // The autoscaler's signal stays at the engine's capacity while it sheds.
      assertThat(server.metrics.ongoing()).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.metrics.ongoing() == 0);
    assertThat(server.post("/v1/completions", COMPLETION).statusCode()).isEqualTo(200);
  }

  @Test
  void theOpenAiClientRetriesA503AndGivesUpAfterItsMaxRetries() throws Exception {
    try (Socket held = holdTheOnlySlot()) {
      assertThatThrownBy(() -> client(2).completions().create(params()))
          .isInstanceOf(InternalServerException.class)
          .satisfies(e -> assertThat(((InternalServerException) e).statusCode()).isEqualTo(503));
      MetricsText m = MetricsText.parse(server.registry.scrape());
      assertThat(m.value(MetricNames.REQUESTS_REJECTED_TOTAL, Map.of("reason", "queue_full")))
          .as("one attempt and two retries")
          .isEqualTo(3);
    }
  }

  @Test
  void theOpenAiClientSucceedsOnceASlotFreesUp() throws Exception {
    Socket held = holdTheOnlySlot();
    CompletableFuture<Completion> call =
        CompletableFuture.supplyAsync(() -> client(3).completions().create(params()));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> server.registry.scrape().contains("reason=\"queue_full\",} 1.0"));
    held.close(); // the client goes away: its request is aborted and the slot frees

    Completion c = call.get();
    assertThat(c.choices().get(0).text()).hasSize(3);
    MetricsText m = MetricsText.parse(server.registry.scrape());
    assertThat(m.value(MetricNames.REQUESTS_TOTAL, Map.of("status", "200"))).isEqualTo(1);
  }

  @Test
  void aRequestPastItsDeadlineGets504() throws Exception {
    server.engine.maxInFlight = Integer.MAX_VALUE;
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"prompt\":\"EXPIRE\",\"max_tokens\":9}");
    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("timeout_error");
    assertThat(error.get("message").asText()).contains("deadline");

    HttpResponse<String> stream =
        server.post("/v1/completions", "{\"prompt\":\"EXPIRE\",\"max_tokens\":9,\"stream\":true}");
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.body()).contains("\"timeout_error\"").endsWith("data: [DONE]\n\n");
  }

  private OpenAIClient client(int maxRetries) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(server.baseUrl() + "/v1")
        .apiKey("unused")
        .maxRetries(maxRetries)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  private static CompletionCreateParams params() {
    return CompletionCreateParams.builder()
        .model(FakeModels.MODEL_ID)
        .prompt("hi")
        .maxTokens(3)
        .build();
  }

  /** Starts a streaming request that holds the engine's one slot until the socket closes. */
  private Socket holdTheOnlySlot() throws Exception {
    String body = "{\"prompt\":\"HOLD\",\"max_tokens\":50,\"stream\":true}";
    Socket socket = new Socket("127.0.0.1", server.server.actualPort());
    socket
        .getOutputStream()
        .write(
            ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body)
                .getBytes(StandardCharsets.UTF_8));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
      // headers and chunk sizes until the first event: the request is running
    }
    assertThat(line).startsWith("data: ");
    return socket;
  }
}
