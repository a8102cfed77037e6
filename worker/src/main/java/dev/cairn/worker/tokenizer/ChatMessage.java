package dev.cairn.worker.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One chat message as the template sees it: a role and plain-text content, and for tool use the
 * calls an assistant made or the call a tool message answers.
 *
 * @param role one of system, user, assistant, tool
 * @param content the text (OpenAI content-part arrays are already joined)
 * @param toolCalls an assistant's calls as Hugging Face templates read them ({@code id}, {@code
 *     type}, {@code function: {name, arguments}} with arguments as an object), or null
 * @param toolCallId the call a tool message answers, or null
 */
public record ChatMessage(
    String role, String content, List<Map<String, Object>> toolCalls, String toolCallId) {

  /** Roles the chat endpoint accepts. */
  public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

  /** Validates the role; a null content (e.g. an assistant turn with tool calls) becomes "". */
  public ChatMessage {
    if (role == null || !ROLES.contains(role)) {
      throw new IllegalArgumentException(
          "messages[].role must be one of system, user, assistant, tool; got " + role);
    }
    content = content == null ? "" : content;
  }

  /** A message without tool calls. */
  public ChatMessage(String role, String content) {
    this(role, content, null, null);
  }

  /**
   * Reads an OpenAI message object: {@code content} is a string or an array of {@code {type: text,
   * text}} parts, joined with newlines as vLLM does for text-only models.
   */
  public static ChatMessage fromJson(JsonNode message) {
    if (message == null || !message.isObject()) {
      throw new IllegalArgumentException("messages[] entries must be objects");
    }
    String role = message.path("role").isTextual() ? message.get("role").asText() : null;
    return new ChatMessage(role, content(message.get("content")));
  }

  private static String content(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw new IllegalArgumentException(
          "messages[].content must be a string or an array of content parts");
    }
    List<String> texts = new ArrayList<>();
    for (JsonNode part : content) {
      String type = part.path("type").asText();
      if (!"text".equals(type) || !part.path("text").isTextual()) {
        throw new IllegalArgumentException(
            "messages[].content parts must be {\"type\": \"text\", \"text\": ...}; this model"
                + " takes text only (got type \""
                + type
                + "\")");
      }
      texts.add(part.get("text").asText());
    }
    return String.join("\n", texts);
  }
}
