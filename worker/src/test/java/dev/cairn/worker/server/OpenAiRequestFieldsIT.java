package dev.cairn.worker.server;

import static dev.cairn.worker.server.OpenAiServerIT.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import dev.cairn.worker.server.fake.FakeModels;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request and response fields of issue 11 over HTTP, against the worker's routes and the fake
 * engine: refused fields and bodies, models.retrieve, stop_reason, prompt arrays and echo.
 */
class OpenAiRequestFieldsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
  private static TestServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(Optional.empty(), true);
    client = OpenAiServerIT.client(server, "unused");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static JsonNode ok(String path, String body) throws Exception {
    var r = server.post(path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void refusedBodiesAndFieldsNameTheField() throws Exception {
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\"} garbage"), 400, null, "Invalid JSON");
    expectError(
        server.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\"}]}"),
        400,
        "messages[0].content",
        "is required");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"100000\":5}}"),
        400,
        "logit_bias",
        "out of vocabulary");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"5\":-101}}"),
        400,
        "logit_bias",
        "[-100, 100]");
    expectError(
        server.post("/v1/completions", "{\"prompt\":\"x\",\"min_tokens\":4}"),
        400,
        "min_tokens",
        "not supported");
    expectError(
        server.post("/v1/chat/completions", USER + ",\"tools\":[{\"type\":\"function\"}]}"),
        400,
        "tools[0].function",
        "must be an object");
    expectError(
        server.post("/v1/chat/completions", USER + ",\"max_tokens\":1000}"),
        400,
        "max_tokens",
        "maximum context length");
  }

  @Test
  void modelsRetrieveAnswersTheServedModelAnd404sOthers() throws Exception {
    assertThat(client.models().retrieve(FakeModels.MODEL_ID).id()).isEqualTo(FakeModels.MODEL_ID);
    assertThatThrownBy(() -> client.models().retrieve("other"))
        .isInstanceOf(NotFoundException.class);
    expectError(server.get("/v1/models/org/other"), 404, "model", "`org/other` does not exist");
  }

  @Test
  void stopReasonIsTheStopStringOrTokenAndNullOtherwise() throws Exception {
    // The fake engine writes letters from 'a' + (prompt id sum) % 26; prompt "a" starts at 't'.
    JsonNode byString =
        ok("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":8,\"stop\":[\"v\"]}");
    assertThat(byString.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(byString.at("/choices/0/stop_reason").asText()).isEqualTo("v");
    JsonNode byToken =
        ok("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":8,\"stop_token_ids\":[117]}");
    assertThat(byToken.at("/choices/0/stop_reason").asInt()).isEqualTo('u');
    JsonNode length = ok("/v1/chat/completions", USER + ",\"max_tokens\":2}");
    assertThat(length.at("/choices/0/stop_reason").isNull()).isTrue();
    String stream =
        server
            .post("/v1/completions", "{\"prompt\":\"a\",\"stream\":true,\"stop\":[\"v\"]}")
            .body();
    assertThat(stream).contains("\"finish_reason\":\"stop\",\"stop_reason\":\"v\"");
  }

  @Test
  void promptArraysGiveChoicesIndexedByPromptTimesNPlusI() throws Exception {
    JsonNode r = ok("/v1/completions", "{\"prompt\":[\"a\",\"b\"],\"n\":2,\"max_tokens\":1}");
    assertThat(r.get("choices")).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(r.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
    }
    // Prompt "b" starts one letter after prompt "a"; n = 2 seeds choice i of a prompt alike.
    assertThat(r.at("/choices/2/text").asText())
        .isEqualTo(String.valueOf((char) (r.at("/choices/0/text").asText().charAt(0) + 1)));
    assertThat(r.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
    JsonNode ids = ok("/v1/completions", "{\"prompt\":[[97],[98,99]],\"max_tokens\":1}");
    assertThat(ids.get("choices")).hasSize(2);
    assertThat(ids.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void echoPrependsThePromptAndItsLogprobs() throws Exception {
    JsonNode r =
        ok(
            "/v1/completions",
            "{\"prompt\":[\"abc\"],\"echo\":true,\"logprobs\":1,\"max_tokens\":2}");
    JsonNode choice = r.at("/choices/0");
    assertThat(choice.get("text").asText()).startsWith("abc").hasSize(5);
    JsonNode lp = choice.get("logprobs");
    assertThat(lp.get("tokens")).hasSize(5);
    assertThat(lp.at("/tokens/0").asText()).isEqualTo("a");
    assertThat(lp.at("/token_logprobs/0").isNull()).isTrue();
    assertThat(lp.at("/top_logprobs/0").isNull()).isTrue();
    assertThat(lp.at("/token_logprobs/1").asDouble()).isEqualTo(-0.1);
    assertThat(lp.at("/token_logprobs/2").asDouble()).isEqualTo(-0.2);
    assertThat(lp.at("/token_logprobs/3").asDouble()).isEqualTo(-0.25);
    assertThat(lp.at("/text_offset/0").asInt()).isZero();
    assertThat(lp.at("/text_offset/3").asInt()).isEqualTo(3);
    JsonNode plain = ok("/v1/completions", "{\"prompt\":\"abc\",\"echo\":true,\"max_tokens\":1}");
    assertThat(plain.at("/choices/0/text").asText()).startsWith("abc").hasSize(4);
    assertThat(plain.at("/choices/0/logprobs").isNull()).isTrue();
  }
}
