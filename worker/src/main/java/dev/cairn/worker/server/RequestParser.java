package dev.cairn.worker.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Turns a request body into an {@link OpenAiRequest}, or a 400 naming the offending field. */
public final class RequestParser {
  /** Upper bound on n: each choice is a full engine request. */
  static final int MAX_N = 128;

  private static final Set<String> ROLES =
      Set.of("system", "developer", "user", "assistant", "tool");
  // Trailing tokens: "{...} garbage" is not one JSON document and must not pass as one.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> MESSAGE_FIELDS =
      Set.of("role", "content", "tool_calls", "tool_call_id");

  private RequestParser() {}

  /** Parses a {@code /v1/completions} or {@code /v1/chat/completions} body. */
  public static OpenAiRequest parse(Endpoint endpoint, String body, SamplingDefaults defaults) {
    ObjectNode root = parseObject(body);
    boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    RequestFields.check(root, chat);
    String model = JsonFields.string(root, "model");
    Integer nField = JsonFields.integer(root, "n");
    int n = nField == null ? 1 : nField;
    if (n < 1 || n > MAX_N) {
      throw ApiException.badRequest("n", "n must be between 1 and " + MAX_N + ", got " + n);
    }
    boolean stream = Boolean.TRUE.equals(JsonFields.bool(root, "stream"));
    boolean includeUsage = includeUsage(root);
    boolean echo = !chat && Boolean.TRUE.equals(JsonFields.bool(root, "echo"));
    if (echo && stream) {
      throw ApiException.badRequest("echo", "echo is not supported with stream");
    }
    SamplingParams sampling = SamplingParser.parse(root, defaults, chat, echo);
    List<OpenAiRequest.Prompt> prompts = List.of();
    List<ChatMessage> messages = null;
    boolean addGenerationPrompt = true;
    ToolSpec tools = null;
    StructuredSpec structured = StructuredSpec.parse(root);
    if (chat) {
      tools = ToolSpec.parse(root);
      if (tools != null && tools.forced() && structured != null) {
        throw ApiException.badRequest(
            "tool_choice",
            "tool_choice '"
                + (tools.named() != null ? tools.named() : "required")
                + "' constrains the output to a tool call and cannot be combined with "
                + structured.param());
      }
      messages = messages(root);
      Boolean add = JsonFields.bool(root, "add_generation_prompt");
      addGenerationPrompt = add == null || add;
    } else {
      prompts = prompts(root);
      if (prompts.size() * n > MAX_N) {
        throw ApiException.badRequest(
            "prompt",
            prompts.size()
                + " prompts with n = "
                + n
                + " exceed "
                + MAX_N
                + " choices per request");
      }
    }
    return new OpenAiRequest(
        endpoint,
        model,
        prompts,
        messages,
        addGenerationPrompt,
        sampling,
        SamplingParser.maxTokensField(root, chat),
        n,
        stream,
        includeUsage,
        echo,
        structured,
        tools);
  }

  private static boolean includeUsage(ObjectNode root) {
    ObjectNode options = JsonFields.object(root, "stream_options");
    if (options == null) {
      return false;
    }
    if (Boolean.TRUE.equals(JsonFields.bool(options, "continuous_usage_stats"))) {
      throw ApiException.badRequest(
          "stream_options.continuous_usage_stats", "continuous_usage_stats is not supported");
    }
    return Boolean.TRUE.equals(JsonFields.bool(options, "include_usage"));
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

  /**
   * As vLLM: a string, a list of strings, a list of token ids, or a list of token-id lists; each
   * list element is its own prompt.
   */
  private static List<OpenAiRequest.Prompt> prompts(ObjectNode root) {
    JsonNode prompt = JsonFields.present(root, "prompt");
    if (prompt == null) {
      throw ApiException.badRequest("prompt", "'prompt' is required");
    }
    if (prompt.isTextual()) {
      return List.of(new OpenAiRequest.Prompt(prompt.textValue(), null));
    }
    String shape =
        "a string, an array of strings, an array of token ids, or an array of token-id arrays";
    if (!prompt.isArray() || prompt.isEmpty()) {
      throw ApiException.badRequest("prompt", "'prompt' must be " + shape);
    }
    if (prompt.get(0).isIntegralNumber()) {
      return List.of(new OpenAiRequest.Prompt(null, tokenIds(prompt, "prompt", shape)));
    }
    List<OpenAiRequest.Prompt> out = new ArrayList<>();
    for (int i = 0; i < prompt.size(); i++) {
      JsonNode p = prompt.get(i);
      String where = "prompt[" + i + "]";
      if (p.isTextual()) {
        out.add(new OpenAiRequest.Prompt(p.textValue(), null));
      } else if (p.isArray()) {
        out.add(new OpenAiRequest.Prompt(null, tokenIds(p, where, shape)));
      } else {
        throw ApiException.badRequest(
            where, "'prompt' must be " + shape + "; " + where + " is " + p);
      }
    }
    return List.copyOf(out);
  }

  private static int[] tokenIds(JsonNode array, String field, String shape) {
    if (array.isEmpty()) {
      throw ApiException.badRequest(field, "'" + field + "' must not be empty");
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw ApiException.badRequest(
            field, "'prompt' must be " + shape + "; " + field + "[" + i + "] is " + id);
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
    for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!MESSAGE_FIELDS.contains(field) && !m.get(field).isNull()) {
        // name, tool_calls, tool_call_id, function_call, audio...: the template would not see them.
        throw ApiException.badRequest(
            where + "." + field, where + "." + field + " is not supported by this server");
      }
    }
    // OpenAI's "developer" role is the newer name of "system"; chat templates know only the latter.
    String r = "developer".equals(role.textValue()) ? "system" : role.textValue();
    var toolCalls = ToolMessages.toolCalls(m, r, where);
    String toolCallId = ToolMessages.toolCallId(m, r, where);
    JsonNode content = m.get("content");
    if (toolCalls != null && (content == null || content.isNull())) {
      return new ChatMessage(r, null, toolCalls, toolCallId);
    }
    return new ChatMessage(r, content(content, where + ".content"), toolCalls, toolCallId);
  }

  /**
   * A string, or an array of {@code {"type":"text","text":...}} parts joined with newlines (as vLLM
   * does for text-only models).
   */
  private static String content(JsonNode c, String where) {
    if (c == null || c.isNull()) {
      // OpenAI allows it only beside an assistant's tool calls (handled by the caller).
      throw ApiException.badRequest(where, where + " is required");
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
