package dev.cairn.worker.server;

import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.List;

/**
 * A parsed, validated completion or chat request, before tokenization.
 *
 * @param endpoint completions or chat completions
 * @param model the requested model name, or null to take the served one
 * @param prompts the completion prompts (completions; one or more), or empty
 * @param messages the conversation (chat), or null
 * @param addGenerationPrompt chat: open the assistant's turn after the messages
 * @param sampling sampling and stopping fields with defaults applied; maxTokens is {@link
 *     SamplingParams#UNRESOLVED_MAX_TOKENS} until fitted to the prompt
 * @param maxTokensField the field the client limited the completion with, or null
 * @param n choices to generate per prompt
 * @param stream answer with server-sent events
 * @param includeUsage streaming: send a final chunk with usage
 * @param echo completions: the answer's text and logprobs start with the prompt's
 * @param structured the output's required form (JSON, schema, regex, choice), or null for free text
 * @param tools chat: the offered tools and tool_choice, or null when none are offered
 */
public record OpenAiRequest(
    Endpoint endpoint,
    String model,
    List<Prompt> prompts,
    List<ChatMessage> messages,
    boolean addGenerationPrompt,
    SamplingParams sampling,
    String maxTokensField,
    int n,
    boolean stream,
    boolean includeUsage,
    boolean echo,
    StructuredSpec structured,
    ToolSpec tools) {

  /**
   * One completion prompt, as text or as token ids.
   *
   * @param text the prompt text, or null
   * @param tokens the prompt's token ids, or null
   */
  public record Prompt(String text, int[] tokens) {}

  /** This request with other sampling parameters (e.g. with its output constraint attached). */
  OpenAiRequest withSampling(SamplingParams sampling) {
    return new OpenAiRequest(
        endpoint,
        model,
        prompts,
        messages,
        addGenerationPrompt,
        sampling,
        maxTokensField,
        n,
        stream,
        includeUsage,
        echo,
        structured,
        tools);
  }

  public boolean isChat() {
    return endpoint == Endpoint.CHAT_COMPLETIONS;
  }

  /** The max_tokens the client asked for, or null. */
  public Integer requestedMaxTokens() {
    return maxTokensField == null ? null : sampling.maxTokens();
  }
}
