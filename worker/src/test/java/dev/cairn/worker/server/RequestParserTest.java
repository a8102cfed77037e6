package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestParserTest {
  private static final SamplingDefaults NONE = SamplingDefaults.none();

  private static OpenAiRequest completion(String json) {
    return RequestParser.parse(Endpoint.COMPLETIONS, json, NONE);
  }

  private static OpenAiRequest chat(String json) {
    return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json, NONE);
  }

  private static void rejects(Endpoint e, String json, String param, String message) {
    assertThatThrownBy(() -> RequestParser.parse(e, json, NONE))
        .isInstanceOfSatisfying(
            ApiException.class,
            ex -> {
              assertThat(ex.status()).isEqualTo(400);
              assertThat(ex.param()).isEqualTo(param);
              assertThat(ex.getMessage()).contains(message);
            });
  }

  @Test
  void promptShapes() {
    assertThat(completion("{\"prompt\":\"hi\"}").prompts().get(0).text()).isEqualTo("hi");
    assertThat(completion("{\"prompt\":[\"hi\"]}").prompts().get(0).text()).isEqualTo("hi");
    assertThat(completion("{\"prompt\":[1,2,3]}").prompts().get(0).tokens())
        .containsExactly(1, 2, 3);
    assertThat(completion("{\"prompt\":[[4,5]]}").prompts().get(0).tokens()).containsExactly(4, 5);
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":[1,-2]}", "prompt", "prompt[1] is -2");
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":[[1],[]]}", "prompt[1]", "must not be empty");
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":[\"a\",3]}", "prompt[1]", "prompt[1] is 3");
    rejects(Endpoint.COMPLETIONS, "{}", "prompt", "'prompt' is required");
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":5}", "prompt", "'prompt' must be");
  }

  @Test
  void promptArraysAreOnePromptPerElement() {
    OpenAiRequest texts = completion("{\"prompt\":[\"a\",\"b\"],\"n\":2}");
    assertThat(texts.prompts()).extracting(OpenAiRequest.Prompt::text).containsExactly("a", "b");
    OpenAiRequest ids = completion("{\"prompt\":[[1,2],[3]]}");
    assertThat(ids.prompts().get(0).tokens()).containsExactly(1, 2);
    assertThat(ids.prompts().get(1).tokens()).containsExactly(3);
    rejects(
        Endpoint.COMPLETIONS,
        "{\"prompt\":[\"a\",\"b\",\"c\"],\"n\":50}",
        "prompt",
        "exceed 128 choices");
  }

  @Test
  void echoAsksForPromptLogprobsWhenLogprobsAreAsked() {
    OpenAiRequest r = completion("{\"prompt\":\"x\",\"echo\":true,\"logprobs\":2}");
    assertThat(r.echo()).isTrue();
    assertThat(r.sampling().promptLogprobs()).isEqualTo(2);
    assertThat(completion("{\"prompt\":\"x\",\"echo\":true}").sampling().promptLogprobs()).isNull();
    assertThat(completion("{\"prompt\":\"x\",\"logprobs\":2}").sampling().promptLogprobs())
        .isNull();
    rejects(
        Endpoint.COMPLETIONS,
        "{\"prompt\":\"x\",\"echo\":true,\"stream\":true}",
        "echo",
        "not supported with stream");
  }

  @Test
  void logitBiasIsParsedAndRangeChecked() {
    OpenAiRequest r = completion("{\"prompt\":\"x\",\"logit_bias\":{\"5\":100,\"7\":-2.5}}");
    assertThat(r.sampling().logitBias())
        .containsExactlyInAnyOrderEntriesOf(Map.of(5, 100.0, 7, -2.5));
    String p = "{\"prompt\":\"x\",\"logit_bias\":";
    rejects(Endpoint.COMPLETIONS, p + "{\"5\":101}}", "logit_bias", "[-100, 100]");
    rejects(Endpoint.COMPLETIONS, p + "{\"5\":\"a\"}}", "logit_bias", "[-100, 100]");
    rejects(Endpoint.COMPLETIONS, p + "{\"a\":1}}", "logit_bias", "must be token ids");
    rejects(Endpoint.COMPLETIONS, p + "{\"-1\":1}}", "logit_bias", "must be token ids");
    rejects(Endpoint.COMPLETIONS, p + "[1]}", "logit_bias", "must be an object");
  }

  @Test
  void maxTokensFieldIsTheOneTheClientSent() {
    String m = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],";
    assertThat(chat(m + "\"max_tokens\":3}").maxTokensField()).isEqualTo("max_tokens");
    assertThat(chat(m + "\"max_completion_tokens\":3}").maxTokensField())
        .isEqualTo("max_completion_tokens");
    assertThat(chat(m + "\"n\":1}").maxTokensField()).isNull();
  }

  @Test
  void defaultsAndOpenAiDefaults() {
    OpenAiRequest r = completion("{\"prompt\":\"x\"}");
    assertThat(r.n()).isEqualTo(1);
    assertThat(r.stream()).isFalse();
    assertThat(r.sampling().temperature()).isEqualTo(1.0);
    assertThat(r.sampling().topP()).isEqualTo(1.0);
    assertThat(r.requestedMaxTokens()).isNull();
    assertThat(r.sampling().logprobs()).isNull();
    SamplingDefaults model = new SamplingDefaults(0.6, 0.9, 20, 0.05, 1.1, 64);
    OpenAiRequest d = RequestParser.parse(Endpoint.COMPLETIONS, "{\"prompt\":\"x\"}", model);
    assertThat(d.sampling().temperature()).isEqualTo(0.6);
    assertThat(d.sampling().topP()).isEqualTo(0.9);
    assertThat(d.sampling().topK()).isEqualTo(20);
    assertThat(d.sampling().minP()).isEqualTo(0.05);
    assertThat(d.sampling().repetitionPenalty()).isEqualTo(1.1);
    OpenAiRequest explicit =
        RequestParser.parse(Endpoint.COMPLETIONS, "{\"prompt\":\"x\",\"temperature\":0}", model);
    assertThat(explicit.sampling().temperature()).isEqualTo(0.0);
  }

  @Test
  void streamingAndStopFields() {
    OpenAiRequest r =
        chat(
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"stop\":\"END\","
                + "\"stop_token_ids\":[2,3],\"max_completion_tokens\":9,\"max_tokens\":3}");
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(r.sampling().stop()).containsExactly("END");
    assertThat(r.sampling().stopTokenIds()).containsExactlyInAnyOrder(2, 3);
    assertThat(r.sampling().maxTokens()).isEqualTo(9);
    assertThat(completion("{\"prompt\":\"x\",\"stop\":[\"a\",\"b\"]}").sampling().stop())
        .containsExactly("a", "b");
  }

  @Test
  void logprobsForms() {
    assertThat(completion("{\"prompt\":\"x\",\"logprobs\":3}").sampling().logprobs()).isEqualTo(3);
    String msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    assertThat(chat("{" + msgs + ",\"logprobs\":true}").sampling().logprobs()).isEqualTo(0);
    assertThat(chat("{" + msgs + ",\"logprobs\":true,\"top_logprobs\":5}").sampling().logprobs())
        .isEqualTo(5);
    assertThat(chat("{" + msgs + ",\"logprobs\":false}").sampling().logprobs()).isNull();
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{" + msgs + ",\"top_logprobs\":2}",
        "top_logprobs",
        "requires logprobs to be true");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{" + msgs + ",\"logprobs\":true,\"top_logprobs\":21}",
        "top_logprobs",
        "between 0 and 20");
  }

  @Test
  void rangeErrorsNameTheField() {
    String p = "{\"prompt\":\"x\",";
    rejects(Endpoint.COMPLETIONS, p + "\"temperature\":-0.1}", "temperature", "[0, 2]");
    rejects(Endpoint.COMPLETIONS, p + "\"top_p\":1.5}", "top_p", "(0, 1]");
    rejects(Endpoint.COMPLETIONS, p + "\"top_k\":-2}", "top_k", "top_k must be");
    rejects(Endpoint.COMPLETIONS, p + "\"min_p\":2}", "min_p", "[0, 1]");
    rejects(Endpoint.COMPLETIONS, p + "\"presence_penalty\":3}", "presence_penalty", "[-2, 2]");
    rejects(Endpoint.COMPLETIONS, p + "\"frequency_penalty\":-3}", "frequency_penalty", "[-2, 2]");
    rejects(Endpoint.COMPLETIONS, p + "\"repetition_penalty\":0}", "repetition_penalty", "(0, 2]");
    rejects(Endpoint.COMPLETIONS, p + "\"n\":0}", "n", "between 1 and 128");
    rejects(Endpoint.COMPLETIONS, p + "\"max_tokens\":-1}", "max_tokens", "at least 1");
    rejects(Endpoint.COMPLETIONS, p + "\"stop\":[1]}", "stop", "a string or an array");
    rejects(Endpoint.COMPLETIONS, p + "\"stop\":\"\"}", "stop", "must not be empty");
    rejects(Endpoint.COMPLETIONS, p + "\"seed\":\"x\"}", "seed", "'seed' must be an integer");
    rejects(
        Endpoint.COMPLETIONS, p + "\"stream\":\"yes\"}", "stream", "'stream' must be a boolean");
    rejects(Endpoint.COMPLETIONS, p + "\"n\":1.5}", "n", "'n' must be an integer");
    rejects(Endpoint.COMPLETIONS, p + "\"model\":3}", "model", "'model' must be a string");
  }

  /** A value of each refused field that asks for something (never its neutral value). */
  private static String demanding(String field) {
    return switch (field) {
      case "skip_special_tokens", "spaces_between_special_tokens", "add_special_tokens" -> "false";
      case "best_of", "min_tokens", "truncate_prompt_tokens", "prompt_logprobs" -> "3";
      case "length_penalty" -> "0.5";
      default -> "\"something\"";
    };
  }

  @Test
  void everyUnimplementedFieldIsRefusedByName() {
    assertThat(RequestFields.REFUSED.keySet())
        .contains(
            "suffix",
            "best_of",
            "use_beam_search",
            "min_tokens",
            "allowed_token_ids",
            "guided_grammar",
            "bad_words",
            "include_stop_str_in_output",
            "skip_special_tokens",
            "prompt_logprobs");
    for (String field : RequestFields.REFUSED.keySet()) {
      String value = demanding(field);
      rejects(
          Endpoint.COMPLETIONS,
          "{\"prompt\":\"x\",\"" + field + "\":" + value + "}",
          field,
          "not supported");
      if (RequestFields.CHAT_ONLY.contains(field)) {
        continue; // tools and tool_choice: chat implements them (ToolRequestsTest)
      }
      rejects(
          Endpoint.CHAT_COMPLETIONS,
          "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"" + field + "\":" + value + "}",
          field,
          "not supported");
    }
    rejects(
        Endpoint.COMPLETIONS, "{\"prompt\":\"x\",\"frobnicate\":1}", "frobnicate", "Unrecognized");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"echo\":true}",
        "echo",
        "not supported");
    rejects(
        Endpoint.COMPLETIONS,
        "{\"prompt\":\"x\",\"stream_options\":{\"continuous_usage_stats\":true}}",
        "stream_options.continuous_usage_stats",
        "not supported");
  }

  @Test
  void neutralValuesAndBookkeepingFieldsPass() {
    OpenAiRequest r =
        completion(
            "{\"prompt\":\"x\",\"echo\":false,\"best_of\":1,\"suffix\":null,\"user\":\"u\","
                + "\"use_beam_search\":false,\"skip_special_tokens\":true,\"length_penalty\":1.0,"
                + "\"response_format\":{\"type\":\"text\"},\"tools\":[],\"metadata\":{}}");
    assertThat(r.n()).isEqualTo(1);
  }

  @Test
  void malformedBodies() {
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":", null, "Invalid JSON body");
    rejects(Endpoint.COMPLETIONS, "[1]", null, "must be a JSON object");
    rejects(Endpoint.COMPLETIONS, "", null, "must be a JSON object");
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":\"x\"} trailing", null, "Invalid JSON body");
    rejects(Endpoint.COMPLETIONS, "{\"prompt\":\"x\"}{}", null, "Invalid JSON body");
  }

  @Test
  void chatMessages() {
    OpenAiRequest r =
        chat(
            "{\"messages\":[{\"role\":\"developer\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                + "{\"type\":\"text\",\"text\":\"b\"}]},{\"role\":\"assistant\",\"content\":\"\"}]}");
    assertThat(r.messages())
        .containsExactly(
            new ChatMessage("system", "be brief"),
            new ChatMessage("user", "a\nb"),
            new ChatMessage("assistant", ""));
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\"}]}",
        "messages[1].content",
        "messages[1].content is required");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"assistant\",\"content\":null}]}",
        "messages[0].content",
        "is required");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"\",\"tool_calls\":[]}]}",
        "messages[0].tool_calls",
        "only allowed on assistant messages");
    assertThat(r.addGenerationPrompt()).isTrue();
    rejects(Endpoint.CHAT_COMPLETIONS, "{}", "messages", "'messages' is required");
    rejects(Endpoint.CHAT_COMPLETIONS, "{\"messages\":[]}", "messages", "non-empty array");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
        "messages[0].role",
        "must be one of");
    rejects(
        Endpoint.CHAT_COMPLETIONS,
        "{\"messages\":[{\"role\":\"user\",\"content\":7}]}",
        "messages[0].content",
        "a string or an array of text parts");
  }
}
