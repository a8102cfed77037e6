package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every request field of the OpenAI and vLLM completion APIs, sorted into what the worker
 * implements, what it may ignore because it never changes the answer (bookkeeping), and what it
 * refuses with a 400 naming the field because ignoring it would change the answer's meaning.
 * Refused fields are accepted only at their neutral value (the one that asks for nothing); a field
 * outside all three lists is refused as unknown, as OpenAI does.
 */
final class RequestFields {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final Set<String> SHARED =
      Set.of(
          "model",
          "n",
          "stream",
          "stream_options",
          "temperature",
          "top_p",
          "top_k",
          "min_p",
          "seed",
          "presence_penalty",
          "frequency_penalty",
          "repetition_penalty",
          "max_tokens",
          "stop",
          "stop_token_ids",
          "ignore_eos",
          "logprobs",
          "logit_bias",
          // Structured output (see StructuredSpec).
          "response_format",
          "structured_outputs",
          "guided_json",
          "guided_regex",
          "guided_choice");

  /** Implemented by {@code /v1/completions} beside the shared fields. */
  static final Set<String> COMPLETIONS_ONLY = Set.of("prompt", "echo");

  /** Implemented by {@code /v1/chat/completions} beside the shared fields. */
  static final Set<String> CHAT_ONLY =
      Set.of(
          "messages",
          "top_logprobs",
          "max_completion_tokens",
          "add_generation_prompt",
          // Tool calling (see ToolSpec).
          "tools",
          "tool_choice",
          "parallel_tool_calls");

  /** Bookkeeping that does not change the answer: accepted and ignored. */
  static final Set<String> IGNORED =
      Set.of(
          "user",
          "metadata",
          "store",
          "service_tier",
          "prompt_cache_key",
          "safety_identifier",
          "request_id",
          "priority",
          "cache_salt");

  /**
   * Unimplemented fields that change the answer, each with the values that ask for nothing (empty
   * when every non-null value is refused).
   */
  static final Map<String, List<JsonNode>> REFUSED =
      Map.ofEntries(
          Map.entry("suffix", List.of(TextNode.valueOf(""))),
          Map.entry("best_of", List.of(IntNode.valueOf(1))),
          Map.entry("use_beam_search", List.of(BooleanNode.FALSE)),
          Map.entry("length_penalty", List.of(IntNode.valueOf(1))),
          Map.entry("min_tokens", List.of(IntNode.valueOf(0))),
          Map.entry("include_stop_str_in_output", List.of(BooleanNode.FALSE)),
          Map.entry("skip_special_tokens", List.of(BooleanNode.TRUE)),
          Map.entry("spaces_between_special_tokens", List.of(BooleanNode.TRUE)),
          Map.entry("truncate_prompt_tokens", List.of()),
          Map.entry("allowed_token_ids", List.of()),
          Map.entry("bad_words", List.of(F.arrayNode())),
          Map.entry("prompt_logprobs", List.of()),
          Map.entry("prompt_embeds", List.of()),
          Map.entry("add_special_tokens", List.of()),
          Map.entry("return_tokens_as_token_ids", List.of(BooleanNode.FALSE)),
          Map.entry("return_token_ids", List.of(BooleanNode.FALSE)),
          Map.entry("logits_processors", List.of()),
          Map.entry("guided_grammar", List.of()),
          Map.entry("guided_decoding_backend", List.of()),
          Map.entry("guided_whitespace_pattern", List.of()),
          // Implemented by chat (CHAT_ONLY); completions take only the neutral values.
          Map.entry("tools", List.of(F.arrayNode())),
          Map.entry("tool_choice", List.of(TextNode.valueOf("none"))),
          Map.entry("parallel_tool_calls", List.of(BooleanNode.TRUE)),
          Map.entry("functions", List.of(F.arrayNode())),
          Map.entry("function_call", List.of(TextNode.valueOf("none"))),
          Map.entry("modalities", List.of(F.arrayNode().add("text"))),
          Map.entry("audio", List.of()),
          Map.entry("prediction", List.of()),
          Map.entry("reasoning_effort", List.of()),
          Map.entry("verbosity", List.of()),
          Map.entry("web_search_options", List.of()),
          Map.entry("continue_final_message", List.of(BooleanNode.FALSE)),
          Map.entry("chat_template", List.of()),
          Map.entry("chat_template_kwargs", List.of(F.objectNode())),
          Map.entry("documents", List.of()),
          Map.entry("mm_processor_kwargs", List.of()),
          Map.entry("kv_transfer_params", List.of()),
          Map.entry("vllm_xargs", List.of()));

  private RequestFields() {}

  /** Refuses the first field of {@code body} the endpoint does not implement (see above). */
  static void check(ObjectNode body, boolean chat) {
    Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (SHARED.contains(name) || IGNORED.contains(name) || value.isNull()) {
        continue;
      }
      if (chat ? CHAT_ONLY.contains(name) : COMPLETIONS_ONLY.contains(name)) {
        continue;
      }
      // Chat's echo (vLLM: repeat the last message) is not the completions echo the worker has.
      boolean chatEcho = chat && name.equals("echo");
      List<JsonNode> neutral = chatEcho ? List.of(BooleanNode.FALSE) : REFUSED.get(name);
      if (neutral == null) {
        throw ApiException.badRequest(name, "Unrecognized request argument supplied: " + name);
      }
      if (neutral.stream().noneMatch(v -> same(v, value))) {
        throw ApiException.badRequest(
            name, "'" + name + "' is not supported by this server" + neutralHint(neutral));
      }
    }
  }

  /** JSON equality, numbers by value (1 and 1.0 alike). */
  private static boolean same(JsonNode a, JsonNode b) {
    return a.isNumber() && b.isNumber() ? a.doubleValue() == b.doubleValue() : a.equals(b);
  }

  private static String neutralHint(List<JsonNode> neutral) {
    return neutral.isEmpty() ? "" : " (only " + neutral.get(0) + " is accepted)";
  }
}
