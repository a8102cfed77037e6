package dev.cairn.worker.server;

import java.util.List;

/**
 * A request ready for the engine: its prompts encoded and max_tokens fixed against the context.
 *
 * @param request the parsed request
 * @param prompts each prompt's token ids (chat: one), {@code [promptLen]} each
 * @param maxTokens tokens each choice of prompt i may generate, one per prompt
 */
public record PreparedRequest(OpenAiRequest request, List<int[]> prompts, int[] maxTokens) {

  /** Prompt tokens over all prompts (usage counts each prompt once, whatever n is). */
  public int totalPromptTokens() {
    return prompts.stream().mapToInt(p -> p.length).sum();
  }
}
