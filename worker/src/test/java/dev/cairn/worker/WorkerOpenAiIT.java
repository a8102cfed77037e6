package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.MetricsText;
import dev.cairn.worker.testing.WorkerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real tiny model served by a packaged worker process, driven by the official OpenAI Java
 * client: models, chat and completions (streaming and not), usage, stop sequences, seeds, n,
 * logprobs, greedy output equal to the reference, a JSON Schema response format, errors in OpenAI's
 * format, the API key, and a client that disconnects mid-stream.
 */
class WorkerOpenAiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "tiny-shakespeare";

  private static WorkerProcess worker;
  private static OpenAIClient client;
  private static JsonNode reference;

  @BeforeAll
  static void start() throws Exception {
    worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .start();
    client = client(worker, "none");
    reference =
        JSON.readTree(
                Files.readString(
                    WorkerProcess.repoRoot().resolve("models/tiny-shakespeare/reference.json")))
            .path("cases")
            .get(0);
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  private static OpenAIClient client(WorkerProcess w, String apiKey) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(w.url("/v1"))
        .apiKey(apiKey)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(120))
        .build();
  }

  @Test
  void listsTheServedModel() {
    assertThat(client.models().list().data())
        .singleElement()
        .satisfies(m -> assertThat(m.id()).isEqualTo(MODEL));
  }

  @Test
  void greedyCompletionEqualsTheReference() {
    Completion c = client.completions().create(referenceParams().build());
    CompletionChoice choice = c.choices().get(0);
    assertThat(choice.text()).isEqualTo(reference.path("greedy_text").asText());
    assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
    CompletionUsage usage = c.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(reference.path("prompt_ids").size());
    assertThat(usage.completionTokens()).isEqualTo(32);
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 32);
  }

  @Test
  void streamedCompletionConcatenatesToTheSameTextAndReportsUsage() {
    StringBuilder text = new StringBuilder();
    List<CompletionUsage> usages = new ArrayList<>();
    try (StreamResponse<Completion> stream =
        client
            .completions()
            .createStreaming(
                referenceParams()
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      stream.stream()
          .forEach(
              chunk -> {
                chunk.choices().forEach(ch -> text.append(ch.text()));
                chunk.usage().ifPresent(usages::add);
              });
    }
    assertThat(text.toString()).isEqualTo(reference.path("greedy_text").asText());
    assertThat(usages)
        .singleElement()
        .satisfies(u -> assertThat(u.completionTokens()).isEqualTo(32));
  }

  @Test
  void stopSequenceEndsTheTextWithoutLeakingIntoIt() {
    String greedy = reference.path("greedy_text").asText();
    String stop = "lord";
    Completion c = client.completions().create(referenceParams().stop(stop).build());
    CompletionChoice choice = c.choices().get(0);
    assertThat(choice.text()).isEqualTo(greedy.substring(0, greedy.indexOf(stop)));
    assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
  }

  @Test
  void chatStreamingAndNotAgreeAtTemperatureZero() {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model(MODEL)
            .addUserMessage("Speak, Romeo.")
            .maxCompletionTokens(12)
            .temperature(0.0)
            .build();
    ChatCompletion whole = client.chat().completions().create(params);
    String expected = whole.choices().get(0).message().content().orElseThrow();
    assertThat(whole.usage().orElseThrow().completionTokens()).isPositive();

    StringBuilder streamed = new StringBuilder();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                params.toBuilder()
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      stream.stream().forEach(chunks::add);
    }
    assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
    for (ChatCompletionChunk chunk : chunks) {
      chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append));
    }
    assertThat(streamed.toString()).isEqualTo(expected);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens())
        .isEqualTo(whole.usage().orElseThrow().completionTokens());
    assertThat(chunks.subList(0, chunks.size() - 1)).allMatch(ch -> ch.usage().isEmpty());
  }

  /**
   * A JSON Schema string bounded at 3,000 characters (refused with a 400 before string lengths were
   * counted) through the client's typed {@code response_format}. The tiny model never writes a
   * closing quote by itself, so a bias on that token closes the string as soon as the schema lets
   * it: the answer is valid JSON, its string at least the minimum, and the request stops.
   */
  @Test
  void aSchemaStringOfThousandsOfCharactersIsServed() throws Exception {
    JsonNode vocab =
        JSON.readTree(
                Files.readString(
                    WorkerProcess.repoRoot().resolve("models/tiny-shakespeare/tokenizer.json")))
            .path("model")
            .path("vocab");
    int quote = vocab.path("\"").asInt(-1);
    assertThat(quote).isNotNegative();
    ResponseFormatJsonSchema.JsonSchema.Schema schema =
        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty(
                "properties",
                JsonValue.from(
                    Map.of("line", Map.of("type", "string", "minLength", 40, "maxLength", 3000))))
            .putAdditionalProperty("required", JsonValue.from(List.of("line")))
            .putAdditionalProperty("additionalProperties", JsonValue.from(false))
            .build();
    String maskCount = MetricNames.STRUCTURED_OUTPUT_MASK + "_count";
    double masksBefore = worker.scrape().value(maskCount, Map.of("model_name", MODEL));
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model(MODEL)
                    .addUserMessage("A line of verse, as JSON.")
                    .maxCompletionTokens(200)
                    .temperature(0.0)
                    .responseFormat(
                        ResponseFormatJsonSchema.builder()
                            .jsonSchema(
                                ResponseFormatJsonSchema.JsonSchema.builder()
                                    .name("verse")
                                    .strict(true)
                                    .schema(schema)
                                    .build())
                            .build())
                    .logitBias(
                        ChatCompletionCreateParams.LogitBias.builder()
                            .putAdditionalProperty(Integer.toString(quote), JsonValue.from(100))
                            .build())
                    .build());
    ChatCompletion.Choice choice = c.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    JsonNode answer = JSON.readTree(choice.message().content().orElseThrow());
    String line = answer.path("line").asText();
    assertThat(answer.size()).isEqualTo(1);
    assertThat(line.codePointCount(0, line.length())).isBetween(40, 3000);
    // The masks this request's states needed were computed, and timed, at least once.
    assertThat(worker.scrape().value(maskCount, Map.of("model_name", MODEL)))
        .isGreaterThan(masksBefore);
  }

  @Test
  void sameSeedGivesTheSameSampledOutput() {
    CompletionCreateParams params =
        CompletionCreateParams.builder()
            .model(MODEL)
            .prompt("JULIET:")
            .maxTokens(24)
            .temperature(0.8)
            .seed(1234L)
            .build();
    String first = client.completions().create(params).choices().get(0).text();
    String second = client.completions().create(params).choices().get(0).text();
    assertThat(second).isEqualTo(first).isNotEmpty();
  }

  @Test
  void nGivesIndexedChoices() {
    Completion c =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(MODEL)
                    .prompt("KING:")
                    .maxTokens(6)
                    .n(2L)
                    .temperature(0.8)
                    .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                    .build());
    assertThat(c.choices()).extracting(CompletionChoice::index).containsExactly(0L, 1L);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(12);
  }

  @Test
  void logprobsForCompletionsAndChat() {
    Completion c = client.completions().create(referenceParams().maxTokens(4).logprobs(2L).build());
    CompletionChoice.Logprobs lp = c.choices().get(0).logprobs().orElseThrow();
    assertThat(lp.tokens().orElseThrow()).hasSize(4);
    assertThat(String.join("", lp.tokens().orElseThrow())).isEqualTo(c.choices().get(0).text());
    assertThat(lp.tokenLogprobs().orElseThrow()).hasSize(4).allMatch(v -> v <= 0);
    assertThat(lp.topLogprobs().orElseThrow()).hasSize(4);

    ChatCompletion chat =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model(MODEL)
                    .addUserMessage("hi")
                    .maxCompletionTokens(3)
                    .logprobs(true)
                    .topLogprobs(2L)
                    .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                    .build());
    List<ChatCompletionTokenLogprob> content =
        chat.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
    assertThat(content).hasSize(3);
    assertThat(content)
        .allSatisfy(
            t -> {
              assertThat(t.logprob()).isLessThanOrEqualTo(0);
              assertThat(t.topLogprobs()).hasSize(2);
            });
  }

  @Test
  void badRequestsAnswerInOpenAiErrorFormat() throws Exception {
    assertError(worker.post("/v1/completions", "{\"model\": "), 400, null);
    assertError(
        worker.post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":5}"),
        400,
        "prompt");
    assertError(
        worker.post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":\"hi\"}"),
        400,
        "messages");
    assertError(
        worker.post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"x\"}"), 404, "model");
    JsonNode tooLong =
        assertError(
            worker.post(
                "/v1/completions",
                JSON.writeValueAsString(Map.of("model", MODEL, "prompt", "ROMEO: ".repeat(300)))),
            400,
            "prompt");
    assertThat(tooLong.path("message").asText()).contains("512");
    for (int maxTokens : new int[] {0, -1, 100_000}) {
      assertError(
          worker.post(
              "/v1/completions",
              JSON.writeValueAsString(
                  Map.of("model", MODEL, "prompt", "x", "max_tokens", maxTokens))),
          400,
          "max_tokens");
    }
    for (double temperature : new double[] {-0.5, 2.5}) {
      assertError(
          worker.post(
              "/v1/completions",
              JSON.writeValueAsString(
                  Map.of("model", MODEL, "prompt", "x", "temperature", temperature))),
          400,
          "temperature");
    }
    assertThatThrownBy(
            () ->
                client
                    .completions()
                    .create(CompletionCreateParams.builder().model("gpt-4").prompt("x").build()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void clientThatDisconnectsMidStreamAbortsItsRequest() throws Exception {
    Map<String, String> abort = Map.of(MetricNames.LABEL_FINISHED_REASON, "abort");
    double abortsBefore = worker.scrape().value(MetricNames.VLLM_REQUEST_SUCCESS, abort);
    String body =
        JSON.writeValueAsString(
            Map.of(
                "model",
                MODEL,
                "prompt",
                "ROMEO:",
                "max_tokens",
                480,
                "stream",
                true,
                "ignore_eos",
                true));
    try (Socket socket = new Socket(worker.baseUri().getHost(), worker.baseUri().getPort())) {
      OutputStream out = socket.getOutputStream();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: "
                  + worker.address()
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("data: {")) {
        // skip the status line, headers and chunk sizes up to the first event
      }
      assertThat(line).as("a first SSE event").isNotNull();
    } // closing the socket mid-stream is the disconnect
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              MetricsText m = worker.scrape();
              assertThat(m.value(MetricNames.VLLM_REQUEST_SUCCESS, abort))
                  .isEqualTo(abortsBefore + 1);
              assertThat(m.value(MetricNames.VLLM_RUNNING)).isZero();
              assertThat(m.value(MetricNames.VLLM_KV_USAGE)).isZero();
              assertThat(m.value(MetricNames.ONGOING_REQUESTS)).isZero();
              assertThat(m.value(MetricNames.REQUESTS_TOTAL, Map.of("status", "499"))).isPositive();
            });
  }

  @Test
  void apiKeyGuardsV1ButNotMetricsOrHealth() throws Exception {
    try (WorkerProcess guarded =
        WorkerProcess.builder()
            .host("127.0.0.3")
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .env("CAIRN_API_KEY", "s3cret")
            .start()) {
      assertError(guarded.get("/v1/models"), 401, null);
      assertError(guarded.get("/v1/models", "Authorization", "Bearer wrong"), 401, null);
      assertError(
          guarded.post(
              "/v1/completions",
              "{\"model\":\"" + MODEL + "\",\"prompt\":\"x\"}",
              "Authorization",
              "Bearer wrong"),
          401,
          null);
      assertThat(guarded.get("/v1/models", "Authorization", "Bearer s3cret").statusCode())
          .isEqualTo(200);
      assertThat(guarded.get("/metrics").statusCode()).isEqualTo(200);
      assertThat(guarded.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(guarded.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(client(guarded, "s3cret").models().list().data()).hasSize(1);
      assertThatThrownBy(() -> client(guarded, "wrong").models().list())
          .isInstanceOf(UnauthorizedException.class);
    }
  }

  /** The reference case's prompt, greedy, 32 tokens, past any EOS (the reference ignores it). */
  private static CompletionCreateParams.Builder referenceParams() {
    return CompletionCreateParams.builder()
        .model(MODEL)
        .prompt(reference.path("prompt").asText())
        .maxTokens(reference.path("greedy_ids").size())
        .temperature(0.0)
        .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
  }

  /** Asserts an OpenAI error body with {@code status}; returns its {@code error} object. */
  private static JsonNode assertError(HttpResponse<String> r, int status, String param)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("message").asText()).as(r.body()).isNotBlank();
    assertThat(error.path("type").asText()).as(r.body()).isNotBlank();
    assertThat(error.path("code").asInt()).as(r.body()).isEqualTo(status);
    assertThat(error.has("param")).as(r.body()).isTrue();
    if (param != null) {
      assertThat(error.path("param").asText()).as(r.body()).isEqualTo(param);
    }
    return error;
  }
}
