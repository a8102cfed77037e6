package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.WorkerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calling on the real tiny model through the official OpenAI Java client: with tool_choice
 * required or a named function the answer is a call whose arguments validate against the function's
 * schema, whole and streamed (a first delta with id, type and name, then argument fragments); auto
 * on a template without tool support is a 400 saying so; a conversation with calls and tool results
 * goes back through the template.
 */
class WorkerToolCallsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEATHER =
      """
      {"type": "object",
       "properties": {
         "city": {"type": "string", "minLength": 2, "maxLength": 10},
         "days": {"type": "integer", "minimum": 1, "maximum": 7},
         "unit": {"enum": ["celsius", "fahrenheit"]}},
       "required": ["city", "days", "unit"],
       "additionalProperties": false}
      """;
  private static final String TIME =
      """
      {"type": "object",
       "properties": {"zone": {"type": "string", "pattern": "^[A-Z][a-z]{1,8}/[A-Z][a-z]{1,8}$"}},
       "required": ["zone"],
       "additionalProperties": false}
      """;

  private static WorkerProcess worker;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .start();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(worker.url("/v1"))
            .apiKey("none")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(120))
            .build();
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void requiredAnswersWithAValidCall() throws Exception {
    double before = toolCallRequests();
    for (long seed = 1; seed <= 4; seed++) {
      ChatCompletion c =
          client
              .chat()
              .completions()
              .create(
                  params(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
      var choice = c.choices().get(0);
      // One or more calls (parallel calls are allowed by default); the tiny model may go on
      // listing calls until max_tokens, which cuts the last one short.
      String finish = choice.finishReason().asString();
      assertThat(finish).as(c.toString()).isIn("tool_calls", "length");
      assertThat(choice.message().content()).isEmpty();
      var calls = choice.message().toolCalls().orElseThrow();
      assertThat(calls).isNotEmpty();
      int whole = finish.equals("length") ? calls.size() - 1 : calls.size();
      for (var toolCall : calls.subList(0, whole)) {
        var call = toolCall.asFunction();
        assertThat(call.id()).matches("call_[A-Za-z0-9]{24}");
        assertValid(call.function().name(), call.function().arguments());
      }
    }
    assertThat(toolCallRequests()).isEqualTo(before + 4);
  }

  @Test
  void withoutParallelCallsRequiredAnswersWithExactlyOneCall() throws Exception {
    for (long seed = 21; seed <= 23; seed++) {
      ChatCompletion c =
          client
              .chat()
              .completions()
              .create(
                  params(seed)
                      .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                      .parallelToolCalls(false)
                      .build());
      assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
      var calls = c.choices().get(0).message().toolCalls().orElseThrow();
      assertThat(calls).as(c.toString()).hasSize(1);
      assertValid(
          calls.get(0).asFunction().function().name(),
          calls.get(0).asFunction().function().arguments());
    }
  }

  @Test
  void aNamedFunctionIsTheOneCalled() throws Exception {
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                params(7)
                    .toolChoice(
                        ChatCompletionNamedToolChoice.builder()
                            .function(
                                ChatCompletionNamedToolChoice.Function.builder()
                                    .name("get_time")
                                    .build())
                            .build())
                    .build());
    ChatCompletionMessageFunctionToolCall call =
        c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("get_time");
    assertValid("get_time", call.function().arguments());
  }

  @Test
  void streamedCallsArriveAsOpenAiDeltas() throws Exception {
    for (long seed = 11; seed <= 13; seed++) {
      ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
      List<ChatCompletionChunk.Choice.Delta.ToolCall> deltas = new ArrayList<>();
      try (StreamResponse<ChatCompletionChunk> stream =
          client
              .chat()
              .completions()
              .createStreaming(
                  params(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build())) {
        stream.stream()
            .forEach(
                chunk -> {
                  acc.accumulate(chunk);
                  chunk
                      .choices()
                      .forEach(ch -> deltas.addAll(ch.delta().toolCalls().orElse(List.of())));
                });
      }
      assertThat(deltas.size()).isGreaterThan(2);
      // Each call opens with its id and name at the next index; its argument pieces follow at
      // that index with neither.
      int started = 0;
      for (var d : deltas) {
        if (d.id().isPresent()) {
          assertThat(d.id().get()).startsWith("call_");
          assertThat(d.index()).isEqualTo(started++);
          assertThat(d.function().orElseThrow().name()).isPresent();
        } else {
          assertThat(d.index()).isEqualTo(started - 1);
          assertThat(d.function().orElseThrow().name()).isEmpty();
        }
      }
      var choice = acc.chatCompletion().choices().get(0);
      String finish = choice.finishReason().asString();
      assertThat(finish).isIn("tool_calls", "length");
      var calls = choice.message().toolCalls().orElseThrow();
      assertThat(calls).hasSize(started);
      assertThat(calls.get(0).asFunction().function().name())
          .isEqualTo(deltas.get(0).function().orElseThrow().name().get());
      int whole = finish.equals("length") ? calls.size() - 1 : calls.size();
      for (var call : calls.subList(0, whole)) {
        assertValid(call.asFunction().function().name(), call.asFunction().function().arguments());
      }
    }
  }

  @Test
  void autoNeedsATemplateWithToolSupport() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(params(1).toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("tool_choice 'auto' needs a chat template with tool support");
  }

  @Test
  void noneAnswersInTextAndCallsGoBackThroughTheTemplate() throws Exception {
    String body =
        """
        {"model": "tiny-shakespeare", "max_tokens": 5, "tool_choice": "none",
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": %s}}],
         "messages": [
           {"role": "user", "content": "Weather in Verona?"},
           {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
             "function": {"name": "get_weather",
                          "arguments": "{\\"city\\": \\"Verona\\", \\"days\\": 1, \\"unit\\": \\"celsius\\"}"}}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21 degrees"}]}
        """
            .formatted(WEATHER);
    var r = worker.post("/v1/chat/completions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode message = JSON.readTree(r.body()).path("choices").get(0).path("message");
    assertThat(message.path("content").isTextual()).isTrue();
    assertThat(message.has("tool_calls")).isFalse();
  }

  private static ChatCompletionCreateParams.Builder params(long seed) throws Exception {
    return ChatCompletionCreateParams.builder()
        .model("tiny-shakespeare")
        .addUserMessage("What is the weather in Verona this week?")
        .addFunctionTool(function("get_weather", WEATHER))
        .addFunctionTool(function("get_time", TIME))
        .maxCompletionTokens(200)
        .seed(seed);
  }

  private static FunctionDefinition function(String name, String schema) throws Exception {
    FunctionParameters.Builder params = FunctionParameters.builder();
    JSON.readTree(schema)
        .properties()
        .forEach(
            e -> params.putAdditionalProperty(e.getKey(), JsonValue.from(toObject(e.getValue()))));
    return FunctionDefinition.builder().name(name).parameters(params.build()).build();
  }

  private static Object toObject(JsonNode node) {
    return JSON.convertValue(node, Object.class);
  }

  private static void assertValid(String function, String arguments) throws Exception {
    String schema = Map.of("get_weather", WEATHER, "get_time", TIME).get(function);
    assertThat(schema).as("function %s", function).isNotNull();
    var validator =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(JSON.readTree(schema));
    assertThat(validator.validate(JSON.readTree(arguments))).as(arguments).isEmpty();
  }

  private static double toolCallRequests() {
    return worker
        .scrape()
        .value(
            MetricNames.STRUCTURED_OUTPUT_REQUESTS,
            Map.of(
                MetricNames.LABEL_MODEL_NAME,
                "tiny-shakespeare",
                MetricNames.LABEL_TYPE,
                "tool_call"));
  }
}
