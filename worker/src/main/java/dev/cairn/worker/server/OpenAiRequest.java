package dev.cairn.worker.server;

import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.List;

/**
 * A parsed, validated completion or chat request, before tokenization.
 *
 * @param endpoint completions or chat completions
 * @param model the requested model name, or null to take the served one
 * @param promptText the completion prompt as text (completions), or null
 * @param promptTokens the completion prompt as token ids (completions), or null
 * @param messages the conversation (chat), or null
 * @param addGenerationPrompt chat: open the assistant's turn after the messages
 * @param sampling sampling and stopping fields with defaults applied
 * @param n choices to generate
 * @param stream answer with server-sent events
 * @param includeUsage streaming: send a final chunk with usage
 */
public record OpenAiRequest(
    Endpoint endpoint,
    String model,
    String promptText,
    int[] promptTokens,
    List<ChatMessage> messages,
    boolean addGenerationPrompt,
    SamplingOptions sampling,
    int n,
    boolean stream,
    boolean includeUsage) {

  public boolean isChat() {
    return endpoint == Endpoint.CHAT_COMPLETIONS;
  }
}
