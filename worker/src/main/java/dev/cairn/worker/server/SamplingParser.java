package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and range-checks the sampling fields shared by completions and chat completions. */
final class SamplingParser {
  /** OpenAI's (and vLLM's) limit on returned alternatives per token. */
  static final int MAX_LOGPROBS = 20;

  private SamplingParser() {}

  /** OpenAI's (and vLLM's) bound on a logit_bias value. */
  static final double MAX_LOGIT_BIAS = 100;

  /**
   * @param chat chat semantics: {@code logprobs} is a boolean with {@code top_logprobs}, and {@code
   *     max_completion_tokens} supersedes {@code max_tokens}
   * @param echo completions' echo: the prompt's logprobs are wanted too when logprobs are
   * @return the parameters, with {@link SamplingParams#UNRESOLVED_MAX_TOKENS} when max_tokens is
   *     not given
   */
  static SamplingParams parse(
      ObjectNode body, SamplingDefaults defaults, boolean chat, boolean echo) {
    double temperature = or(JsonFields.number(body, "temperature"), defaults.temperature(), 1.0);
    range("temperature", temperature, 0, 2);
    double topP = or(JsonFields.number(body, "top_p"), defaults.topP(), 1.0);
    if (!(topP > 0 && topP <= 1)) {
      throw ApiException.badRequest("top_p", "top_p must be in (0, 1], got " + topP);
    }
    Integer topKField = JsonFields.integer(body, "top_k");
    int topK = topKField != null ? topKField : defaults.topK() != null ? defaults.topK() : 0;
    if (topK < -1) {
      throw ApiException.badRequest(
          "top_k", "top_k must be -1 (disable), 0 (disable) or at least 1, got " + topK);
    }
    double minP = or(JsonFields.number(body, "min_p"), defaults.minP(), 0.0);
    range("min_p", minP, 0, 1);
    double presence = or(JsonFields.number(body, "presence_penalty"), null, 0.0);
    range("presence_penalty", presence, -2, 2);
    double frequency = or(JsonFields.number(body, "frequency_penalty"), null, 0.0);
    range("frequency_penalty", frequency, -2, 2);
    double repetition =
        or(JsonFields.number(body, "repetition_penalty"), defaults.repetitionPenalty(), 1.0);
    if (!(repetition > 0 && repetition <= 2)) {
      throw ApiException.badRequest(
          "repetition_penalty", "repetition_penalty must be in (0, 2], got " + repetition);
    }
    Boolean ignoreEos = JsonFields.bool(body, "ignore_eos");
    Integer logprobs = chat ? chatLogprobs(body) : completionLogprobs(body);
    Integer maxTokens = maxTokens(body, chat);
    return new SamplingParams(
        temperature,
        topP,
        topK,
        minP,
        JsonFields.longInteger(body, "seed"),
        presence,
        frequency,
        repetition,
        maxTokens == null ? SamplingParams.UNRESOLVED_MAX_TOKENS : maxTokens,
        stop(body),
        stopTokenIds(body),
        ignoreEos != null && ignoreEos,
        logprobs,
        logitBias(body),
        echo ? logprobs : null,
        null);
  }

  /** The field the client limited the completion with, or null when it sent neither. */
  static String maxTokensField(ObjectNode body, boolean chat) {
    if (chat && JsonFields.present(body, "max_completion_tokens") != null) {
      return "max_completion_tokens";
    }
    return JsonFields.present(body, "max_tokens") != null ? "max_tokens" : null;
  }

  /**
   * {@code {"token id": bias}}; the ids are checked against the vocabulary once the model is known.
   */
  private static Map<Integer, Double> logitBias(ObjectNode body) {
    ObjectNode n = JsonFields.object(body, "logit_bias");
    if (n == null) {
      return Map.of();
    }
    Map<Integer, Double> bias = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id;
      try {
        id = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        id = -1;
      }
      if (id < 0) {
        throw ApiException.badRequest(
            "logit_bias", "logit_bias keys must be token ids, got \"" + e.getKey() + "\"");
      }
      JsonNode v = e.getValue();
      if (!v.isNumber() || Math.abs(v.doubleValue()) > MAX_LOGIT_BIAS) {
        throw ApiException.badRequest(
            "logit_bias",
            "logit_bias values must be numbers in [-100, 100]; token " + id + " has " + v);
      }
      bias.put(id, v.doubleValue());
    }
    return Map.copyOf(bias);
  }

  private static Integer maxTokens(ObjectNode body, boolean chat) {
    String field = "max_tokens";
    Integer value = JsonFields.integer(body, "max_tokens");
    if (chat) {
      Integer completion = JsonFields.integer(body, "max_completion_tokens");
      if (completion != null) {
        field = "max_completion_tokens";
        value = completion;
      }
    }
    if (value != null && value < 1) {
      throw ApiException.badRequest(field, field + " must be at least 1, got " + value);
    }
    return value;
  }

  private static List<String> stop(ObjectNode body) {
    JsonNode n = JsonFields.present(body, "stop");
    if (n == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.textValue());
    } else if (n.isArray()) {
      for (JsonNode s : n) {
        if (!s.isTextual()) {
          throw JsonFields.typeError("stop", "a string or an array of strings", n);
        }
        out.add(s.textValue());
      }
    } else {
      throw JsonFields.typeError("stop", "a string or an array of strings", n);
    }
    if (out.stream().anyMatch(String::isEmpty)) {
      throw ApiException.badRequest("stop", "stop sequences must not be empty");
    }
    return List.copyOf(out);
  }

  private static Set<Integer> stopTokenIds(ObjectNode body) {
    JsonNode n = JsonFields.present(body, "stop_token_ids");
    if (n == null) {
      return Set.of();
    }
    if (!n.isArray()) {
      throw JsonFields.typeError("stop_token_ids", "an array of integers", n);
    }
    Set<Integer> ids = new LinkedHashSet<>();
    for (JsonNode id : n) {
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw ApiException.badRequest(
            "stop_token_ids", "stop_token_ids must hold non-negative integers, got " + id);
      }
      ids.add(id.intValue());
    }
    return Set.copyOf(ids);
  }

  private static Integer completionLogprobs(ObjectNode body) {
    JsonNode n = JsonFields.present(body, "logprobs");
    if (n == null) {
      return null;
    }
    if (n.isBoolean()) {
      // Some clients send the chat form to /v1/completions; true means "the sampled token only".
      return n.booleanValue() ? 0 : null;
    }
    Integer k = JsonFields.integer(body, "logprobs");
    checkLogprobs("logprobs", k);
    return k;
  }

  private static Integer chatLogprobs(ObjectNode body) {
    Boolean wanted = JsonFields.bool(body, "logprobs");
    Integer top = JsonFields.integer(body, "top_logprobs");
    if (top != null) {
      checkLogprobs("top_logprobs", top);
      if (wanted == null || !wanted) {
        throw ApiException.badRequest("top_logprobs", "top_logprobs requires logprobs to be true");
      }
    }
    if (wanted == null || !wanted) {
      return null;
    }
    return top == null ? 0 : top;
  }

  private static void checkLogprobs(String field, int k) {
    if (k < 0 || k > MAX_LOGPROBS) {
      throw ApiException.badRequest(
          field, field + " must be between 0 and " + MAX_LOGPROBS + ", got " + k);
    }
  }

  private static void range(String field, double v, double min, double max) {
    if (Double.isNaN(v) || v < min || v > max) {
      throw ApiException.badRequest(
          field, field + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + v);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static double or(Double value, Double fallback, double openAiDefault) {
    return value != null ? value : fallback != null ? fallback : openAiDefault;
  }
}
