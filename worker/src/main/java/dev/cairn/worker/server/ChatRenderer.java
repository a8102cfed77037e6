package dev.cairn.worker.server;

import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.List;

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
}
