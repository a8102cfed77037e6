package dev.cairn.worker.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns a request body into an {@link OpenAiRequest}, or a 400 naming the offending field. */
public final class RequestParser {
  /** Upper bound on n: each choice is a full engine request. */
  static final int MAX_N = 128;

  private static final Set<String> ROLES =
      Set.of("system", "developer", "user", "assistant", "tool");
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestParser() {}

  /** Parses a {@code /v1/completions} or {@code /v1/chat/completions} body. */
  public static OpenAiRequest parse(Endpoint endpoint, String body, SamplingDefaults defaults) {
    ObjectNode root = parseObject(body);
    boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    String model = JsonFields.string(root, "model");
    Integer nField = JsonFields.integer(root, "n");
    int n = nField == null ? 1 : nField;
    if (n < 1 || n > MAX_N) {
      throw ApiException.badRequest("n", "n must be between 1 and " + MAX_N + ", got " + n);
    }
    Boolean stream = JsonFields.bool(root, "stream");
    ObjectNode streamOptions = JsonFields.object(root, "stream_options");
    Boolean includeUsage =
        streamOptions == null ? null : JsonFields.bool(streamOptions, "include_usage");
    rejectUnsupported(root);
    SamplingOptions sampling = SamplingParser.parse(root, defaults, chat);
    String promptText = null;
    int[] promptTokens = null;
    List<ChatMessage> messages = null;
    boolean addGenerationPrompt = true;
    if (chat) {
      messages = messages(root);
      Boolean add = JsonFields.bool(root, "add_generation_prompt");
      addGenerationPrompt = add == null || add;
    } else {
      JsonNode prompt = JsonFields.present(root, "prompt");
      if (prompt == null) {
        throw ApiException.badRequest("prompt", "'prompt' is required");
      }
      if (prompt.isTextual()) {
        promptText = prompt.textValue();
      } else {
        Object p = promptFromArray(prompt);
        if (p instanceof String s) {
          promptText = s;
        } else {
          promptTokens = (int[]) p;
        }
      }
    }
    return new OpenAiRequest(
        endpoint,
        model,
        promptText,
        promptTokens,
        messages,
        addGenerationPrompt,
        sampling,
        n,
        stream != null && stream,
        includeUsage != null && includeUsage);
  }

  /** Fields that would change the answer's meaning if silently ignored. */
  private static void rejectUnsupported(ObjectNode root) {
    if (Boolean.TRUE.equals(JsonFields.bool(root, "echo"))) {
      throw ApiException.badRequest("echo", "echo is not supported");
    }
    if (JsonFields.string(root, "suffix") != null) {
      throw ApiException.badRequest("suffix", "suffix is not supported");
    }
    Integer bestOf = JsonFields.integer(root, "best_of");
    if (bestOf != null && bestOf != 1) {
      throw ApiException.badRequest("best_of", "best_of is not supported; use n");
    }
  }

  static ObjectNode parseObject(String body) {
    JsonNode root;
    try {
      root = body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "Invalid JSON body: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiException.badRequest(null, "The request body must be a JSON object");
    }
    return (ObjectNode) root;
  }

  /** A one-element string array, a token-id array, or a one-element array of token-id arrays. */
  private static Object promptFromArray(JsonNode prompt) {
    String shape = "a string, an array of token ids, or an array of one of those";
    if (!prompt.isArray() || prompt.isEmpty()) {
      throw ApiException.badRequest("prompt", "'prompt' must be " + shape);
    }
    JsonNode first = prompt.get(0);
    if (first.isTextual() || first.isArray()) {
      if (prompt.size() > 1) {
        throw ApiException.badRequest(
            "prompt", "only one prompt per request is supported, got " + prompt.size());
      }
      return first.isTextual() ? first.textValue() : tokenIds(first, shape);
    }
    return tokenIds(prompt, shape);
  }

  private static int[] tokenIds(JsonNode array, String shape) {
    if (array.isEmpty()) {
      throw ApiException.badRequest("prompt", "'prompt' must not be empty");
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw ApiException.badRequest(
            "prompt", "'prompt' must be " + shape + "; element " + i + " is " + id);
      }
      ids[i] = id.intValue();
    }
    return ids;
  }

  private static List<ChatMessage> messages(ObjectNode root) {
    JsonNode list = JsonFields.present(root, "messages");
    if (list == null) {
      throw ApiException.badRequest("messages", "'messages' is required");
    }
    if (!list.isArray() || list.isEmpty()) {
      throw ApiException.badRequest("messages", "'messages' must be a non-empty array");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(message(list.get(i), "messages[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static ChatMessage message(JsonNode m, String where) {
    if (!m.isObject()) {
      throw ApiException.badRequest(where, where + " must be an object");
    }
    JsonNode role = m.get("role");
    if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
      throw ApiException.badRequest(
          where + ".role",
          where + ".role must be one of " + String.join(", ", ROLES.stream().sorted().toList()));
    }
    // OpenAI's "developer" role is the newer name of "system"; chat templates know only the latter.
    String r = "developer".equals(role.textValue()) ? "system" : role.textValue();
    return new ChatMessage(r, content(m.get("content"), where + ".content"));
  }

  /**
   * A string, or an array of {@code {"type":"text","text":...}} parts joined with newlines (as vLLM
   * does for text-only models).
   */
  private static String content(JsonNode c, String where) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.textValue();
    }
    if (!c.isArray()) {
      throw ApiException.badRequest(where, where + " must be a string or an array of text parts");
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      JsonNode part = c.get(i);
      String type = part.path("type").asText("");
      if (!"text".equals(type) || !part.path("text").isTextual()) {
        throw ApiException.badRequest(
            where + "[" + i + "]",
            where
                + "["
                + i
                + "] must be {\"type\": \"text\", \"text\": ...}; only text is supported");
      }
      texts.add(part.get("text").textValue());
    }
    return String.join("\n", texts);
  }
}
