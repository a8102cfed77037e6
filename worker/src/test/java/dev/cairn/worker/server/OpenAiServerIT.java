package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.cairn.worker.server.fake.FakeModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI API over real HTTP with the official Java client (and raw HTTP where the client cannot
 * produce the input), against the worker's routes and the fake engine.
 */
class OpenAiServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(Optional.empty(), true);
    client = client(server, "unused");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static OpenAIClient client(TestServer s, String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(s.baseUrl() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  @Test
  void listsTheModel() {
    var models = client.models().list().data();
    assertThat(models).hasSize(1);
    assertThat(models.get(0).id()).isEqualTo(FakeModels.MODEL_ID);
    assertThat(models.get(0).ownedBy()).isEqualTo("cairn");
  }

  @Test
  void chatCompletionWithUsageAndLength() {
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .addUserMessage("hello")
                    .maxCompletionTokens(5)
                    .temperature(0.0)
                    .build());
    assertThat(c.id()).startsWith("chatcmpl-");
    assertThat(c.choices()).hasSize(1);
    String text = c.choices().get(0).message().content().orElseThrow();
    assertThat(text).hasSize(5).matches("[a-z]+");
    assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
    int promptLen = "user: hello\nassistant:".length();
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(promptLen);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(5);
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(promptLen + 5);
  }

  @Test
  void completionTextWithStopSequenceEndsBeforeIt() {
    Completion first =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .prompt("abc")
                    .maxTokens(8)
                    .build());
    String full = first.choices().get(0).text();
    assertThat(full).hasSize(8);
    String stop = full.substring(3, 5);
    Completion stopped =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .prompt("abc")
                    .maxTokens(8)
                    .stop(stop)
                    .build());
    assertThat(stopped.choices().get(0).text()).isEqualTo(full.substring(0, 3));
    assertThat(stopped.choices().get(0).finishReason().asString()).isEqualTo("stop");
  }

  @Test
  void seedsAreReproducibleAndNChoicesGetSeedPlusIndex() {
    var params =
        ChatCompletionCreateParams.builder()
            .model(FakeModels.MODEL_ID)
            .addUserMessage("seeded")
            .maxCompletionTokens(4)
            .seed(7)
            .n(2)
            .build();
    ChatCompletion a = client.chat().completions().create(params);
    ChatCompletion b = client.chat().completions().create(params);
    assertThat(a.choices()).hasSize(2);
    assertThat(a.choices().get(0).message().content())
        .isEqualTo(b.choices().get(0).message().content());
    assertThat(a.choices().get(0).message().content())
        .isNotEqualTo(a.choices().get(1).message().content());
    assertThat(a.usage().orElseThrow().completionTokens()).isEqualTo(8);
    List<Long> seeds =
        server.engine.submitted.stream()
            .filter(r -> r.requestId().startsWith(a.id()))
            .map(r -> r.params().seed())
            .toList();
    assertThat(seeds).containsExactlyInAnyOrder(7L, 8L);
    assertThat(server.engine.submitted.stream().map(r -> r.requestId()))
        .contains(a.id() + "-0", a.id() + "-1");
  }

  @Test
  void chatLogprobsWithTopAlternatives() {
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .addUserMessage("lp")
                    .maxCompletionTokens(3)
                    .logprobs(true)
                    .topLogprobs(2)
                    .build());
    var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
    assertThat(content).hasSize(3);
    assertThat(content.get(0).logprob()).isEqualTo(-0.25);
    assertThat(content.get(0).topLogprobs()).hasSize(2);
    assertThat(content.get(0).topLogprobs().get(1).token()).isEqualTo("B");
  }

  @Test
  void completionLogprobsLegacyShape() throws Exception {
    JsonNode body =
        JSON.readTree(
            server
                .post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"logprobs\":1}")
                .body());
    JsonNode lp = body.at("/choices/0/logprobs");
    assertThat(lp.get("tokens")).hasSize(2);
    assertThat(lp.get("token_logprobs").get(0).asDouble()).isEqualTo(-0.25);
    assertThat(lp.get("top_logprobs").get(0).get("A").asDouble()).isEqualTo(-1.0);
    assertThat(lp.get("text_offset").get(1).asInt()).isEqualTo(1);
  }

  @Test
  void streamingChatStartsWithRoleAndEndsWithUsage() {
    var params =
        ChatCompletionCreateParams.builder()
            .model(FakeModels.MODEL_ID)
            .addUserMessage("stream me")
            .maxCompletionTokens(4)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s =
        client.chat().completions().createStreaming(params)) {
      s.stream().forEach(chunks::add);
    }
    assertThat(chunks.get(0).choices().get(0).delta().role().orElseThrow().asString())
        .isEqualTo("assistant");
    StringBuilder text = new StringBuilder();
    chunks.forEach(ch -> ch.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
    assertThat(text).hasSize(4);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(4);
    assertThat(
            chunks.get(chunks.size() - 2).choices().get(0).finishReason().orElseThrow().asString())
        .isEqualTo("length");
  }

  @Test
  void streamingCompletionRawFraming() throws Exception {
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"prompt\":[\"abc\"],\"max_tokens\":3,\"stream\":true}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");
    String[] events = r.body().split("\n\n");
    assertThat(events).hasSize(4);
    for (int i = 0; i < 3; i++) {
      JsonNode chunk = JSON.readTree(events[i].substring("data: ".length()));
      assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
      assertThat(chunk.at("/choices/0/text").asText()).hasSize(1);
    }
    assertThat(events[3]).isEqualTo("data: [DONE]");
    assertThat(r.body()).doesNotContain("usage");
  }

  @Test
  void tokenIdPromptsAreAccepted() throws Exception {
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"prompt\":[97,98,99],\"max_tokens\":2}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).at("/usage/prompt_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void midStreamErrorIsOneErrorEventThenDone() throws Exception {
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"prompt\":\"FAIL\",\"max_tokens\":5,\"stream\":true}");
    assertThat(r.statusCode()).isEqualTo(200);
    String[] events = r.body().split("\n\n");
    assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
    JsonNode error = JSON.readTree(events[events.length - 2].substring("data: ".length()));
    assertThat(error.at("/error/message").asText()).contains("injected failure");
    assertThat(error.at("/error/code").asInt()).isEqualTo(500);
  }

  @Test
  void unknownModelIs404ModelNotFound() {
    assertThatThrownBy(
            () ->
                client
                    .completions()
                    .create(
                        CompletionCreateParams.builder()
                            .model("gpt-99")
                            .prompt("x")
                            .maxTokens(1)
                            .build()))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> assertThat(e.getMessage()).contains("The model `gpt-99` does not exist"));
  }

  @Test
  void badSamplingValuesAre400NamingTheParam() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model(FakeModels.MODEL_ID)
                            .addUserMessage("x")
                            .temperature(2.5)
                            .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.getMessage()).contains("temperature must be in [0, 2]");
              assertThat(e.param()).contains("temperature");
            });
  }

  @Test
  void rawErrorCases() throws Exception {
    expectError(server.post("/v1/completions", "{not json"), 400, null, "Invalid JSON body");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":\"hot\"}"),
        400,
        "temperature",
        "'temperature' must be a number");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"n\":0}"), 400, "n", "n must be");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"top_p\":0}"),
        400,
        "top_p",
        "top_p must be in (0, 1]");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"logprobs\":21}"),
        400,
        "logprobs",
        "between 0 and 20");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":0}"),
        400,
        "max_tokens",
        "at least 1");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1000}"),
        400,
        "max_tokens",
        "This model's maximum context length is 256 tokens; your request has 1001 tokens");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"" + "y".repeat(300) + "\"}"),
        400,
        "prompt",
        "This model's maximum context length is 256 tokens; your request has 300 input tokens");
    expectError(
        server.post(
            "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"RAISE\"}]}"),
        400,
        "messages",
        "Chat template error: Conversation roles must alternate");
    expectError(
        server.post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}"),
        400,
        "messages[0].content[0]",
        "only text is supported");
    expectError(server.get("/v1/nothing"), 404, null, "No route for GET /v1/nothing");
    expectError(server.send("DELETE", "/v1/models"), 405, null, "not allowed");
  }

  @Test
  void chatContentPartsAreJoined() throws Exception {
    HttpResponse<String> r =
        server.post(
            "/v1/chat/completions",
            "{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"ab\"},{\"type\":\"text\",\"text\":\"cd\"}]}]}");
    assertThat(r.statusCode()).isEqualTo(200);
    int promptLen = "user: ab\ncd\nassistant:".length();
    assertThat(JSON.readTree(r.body()).at("/usage/prompt_tokens").asInt()).isEqualTo(promptLen);
  }

  @Test
  void clientDisconnectMidStreamAbortsTheEngineRequest() throws Exception {
    String body = "{\"prompt\":\"HOLD\",\"max_tokens\":50,\"stream\":true}";
    try (Socket socket = new Socket("127.0.0.1", server.server.actualPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
        // headers and chunk sizes until the first event arrives
      }
      assertThat(line).startsWith("data: ");
    }
    String id =
        server.engine.submitted.stream()
            .filter(
                r -> new String(toBytes(r.promptTokens()), StandardCharsets.UTF_8).equals("HOLD"))
            .findFirst()
            .orElseThrow()
            .requestId();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.engine.aborted.contains(id));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.registry.scrape().contains("status=\"499\"")
                    && server.metrics.ongoing() == 0);
  }

  @Test
  void clientDisconnectWhileWaitingForAWholeResponseAbortsToo() throws Exception {
    String body = "{\"prompt\":\"HOLD-wait\",\"max_tokens\":50}";
    int before = server.engine.submitted.size();
    try (Socket socket = new Socket("127.0.0.1", server.server.actualPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  server.engine.submitted.stream()
                      .skip(before)
                      .anyMatch(r -> r.promptTokens().length == "HOLD-wait".length()));
    }
    String id =
        server.engine.submitted.stream()
            .filter(r -> r.promptTokens().length == "HOLD-wait".length())
            .findFirst()
            .orElseThrow()
            .requestId();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.engine.aborted.contains(id));
  }

  private static byte[] toBytes(int[] ids) {
    byte[] b = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      b[i] = (byte) ids[i];
    }
    return b;
  }

  static void expectError(HttpResponse<String> r, int status, String param, String message)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("message").asText()).contains(message);
    assertThat(error.get("code").asInt()).isEqualTo(status);
    assertThat(error.has("type")).isTrue();
    if (param == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
  }

  @Test
  void apiKeyGuardsV1OnlyWhenSet() throws Exception {
    try (TestServer guarded = new TestServer(Optional.of("s3cret"), true)) {
      assertThatThrownBy(() -> client(guarded, "wrong").models().list())
          .isInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("Invalid API key");
      assertThat(client(guarded, "s3cret").models().list().data()).hasSize(1);
      expectError(guarded.get("/v1/models"), 401, null, "Missing API key");
      assertThat(guarded.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(guarded.get("/metrics").statusCode()).isEqualTo(200);
      assertThat(guarded.registry.scrape())
          .contains(
              "cairn_requests_total{endpoint=\"/v1/models\",model_name=\"fake-model\",status=\"401\",}");
    }
  }

  @Test
  void loadingAndDrainingAnswer503AndHealthFollows() throws Exception {
    try (TestServer s = new TestServer(Optional.empty(), false)) {
      s.state.update(0.45, "downloading model.safetensors");
      expectError(s.get("/v1/models"), 503, null, "The model is loading (45%");
      assertThat(s.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(s.get("/health/ready").statusCode()).isEqualTo(503);
      HttpResponse<String> started = s.get("/health/started");
      assertThat(started.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(started.body()).get("progress").asDouble()).isEqualTo(0.45);
      assertThat(s.registry.scrape())
          .contains("cairn_model_load_progress_ratio{model_name=\"fake-model\",} 0.45");

      s.state.ready(FakeModels.served(s.engine));
      assertThat(s.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(s.get("/health/started").statusCode()).isEqualTo(200);
      assertThat(client(s, "k").models().list().data()).hasSize(1);

      s.state.draining();
      assertThat(s.get("/health/ready").statusCode()).isEqualTo(503);
      assertThat(s.get("/health/live").statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> client(s, "k").models().list())
          .isInstanceOfSatisfying(
              OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    }
  }

  @Test
  void failedLoadTakesLivenessDown() throws Exception {
    try (TestServer s = new TestServer(Optional.empty(), false)) {
      s.state.failed("config.json not found");
      expectError(
          s.get("/v1/models"), 503, null, "The model could not be loaded: config.json not found");
      assertThat(s.get("/health/live").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void extraSamplingFieldsReachTheEngine() {
    Completion c =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .prompt("params")
                    .maxTokens(2)
                    .presencePenalty(0.5)
                    .frequencyPenalty(-0.5)
                    .putAdditionalBodyProperty("top_k", JsonValue.from(5))
                    .putAdditionalBodyProperty("min_p", JsonValue.from(0.1))
                    .putAdditionalBodyProperty("repetition_penalty", JsonValue.from(1.2))
                    .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                    .putAdditionalBodyProperty("stop_token_ids", JsonValue.from(List.of(7)))
                    .build());
    var p =
        server.engine.submitted.stream()
            .filter(r -> r.requestId().startsWith(c.id()))
            .findFirst()
            .orElseThrow()
            .params();
    assertThat(p.topK()).isEqualTo(5);
    assertThat(p.minP()).isEqualTo(0.1);
    assertThat(p.repetitionPenalty()).isEqualTo(1.2);
    assertThat(p.presencePenalty()).isEqualTo(0.5);
    assertThat(p.frequencyPenalty()).isEqualTo(-0.5);
    assertThat(p.ignoreEos()).isTrue();
    assertThat(p.stopTokenIds()).containsExactly(7);
    assertThat(p.maxTokens()).isEqualTo(2);
  }
}
