package dev.cairn.worker.server;

import dev.cairn.worker.server.toolcall.ToolCallSyntax;
import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.List;
import java.util.Map;

/**
 * Renders chat messages into the prompt text with the model's chat template ({@code
 * ChatTemplate::render} fits).
 */
@FunctionalInterface
public interface ChatRenderer {
  /**
   * @param addGenerationPrompt append the assistant turn's opening so the model answers
   * @throws dev.cairn.worker.tokenizer.ChatTemplateException or IllegalArgumentException when the
   *     template rejects the conversation (its message is returned to the client as a 400)
   */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);

  /**
   * Renders with the request's tools in the template's {@code tools} variable, as Hugging Face
   * templates expect them; a renderer without a template that reads them drops them.
   */
  default String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
    return render(messages, addGenerationPrompt);
  }

  /** The tool-call format the template teaches, or null when it teaches none this server reads. */
  default ToolCallSyntax toolCallSyntax() {
    return null;
  }

  /** True when the template reads the {@code tools} variable. */
  default boolean takesTools() {
    return false;
  }
}
