package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The two OpenAI logprobs shapes: legacy completions and chat. */
final class LogprobsJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private LogprobsJson() {}

  /**
   * Completions: {@code {"tokens", "token_logprobs", "top_logprobs": [{text: lp}], "text_offset"}}.
   *
   * @param sampled the tokens; a NaN logprob is written as null (echo's first prompt token)
   * @param tops per token, the alternatives; a null entry is written as null
   * @param offset characters of completion text before the first of these tokens
   */
  static ObjectNode completion(
      List<TokenLogprob> sampled, List<List<TokenLogprob>> tops, int offset) {
    ObjectNode out = F.objectNode();
    ArrayNode tokens = out.putArray("tokens");
    ArrayNode lps = out.putArray("token_logprobs");
    ArrayNode topArr = out.putArray("top_logprobs");
    ArrayNode offsets = out.putArray("text_offset");
    for (int i = 0; i < sampled.size(); i++) {
      TokenLogprob t = sampled.get(i);
      tokens.add(t.text());
      if (Double.isNaN(t.logprob())) {
        lps.addNull();
      } else {
        lps.add(t.logprob());
      }
      List<TokenLogprob> alts = i < tops.size() ? tops.get(i) : List.of();
      if (alts == null) {
        topArr.addNull();
      } else {
        ObjectNode alternatives = topArr.addObject();
        for (TokenLogprob alt : alts) {
          alternatives.put(alt.text(), alt.logprob());
        }
      }
      offsets.add(offset);
      offset += t.text().length();
    }
    return out;
  }

  /** Chat: {@code {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}}. */
  static ObjectNode chat(List<TokenLogprob> sampled, List<List<TokenLogprob>> tops) {
    ObjectNode out = F.objectNode();
    ArrayNode content = out.putArray("content");
    for (int i = 0; i < sampled.size(); i++) {
      ObjectNode entry = token(sampled.get(i));
      ArrayNode alternatives = entry.putArray("top_logprobs");
      for (TokenLogprob alt : i < tops.size() ? tops.get(i) : List.<TokenLogprob>of()) {
        alternatives.add(token(alt));
      }
      content.add(entry);
    }
    return out;
  }

  private static ObjectNode token(TokenLogprob t) {
    ObjectNode n = F.objectNode();
    n.put("token", t.text());
    n.put("logprob", t.logprob());
    ArrayNode bytes = n.putArray("bytes");
    for (byte b : t.text().getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return n;
  }
}
