package dev.cairn.worker.server;

/**
 * A request ready for the engine: its prompt encoded and max_tokens fixed against the context.
 *
 * @param request the parsed request
 * @param promptTokens the prompt, {@code [promptLen]}
 * @param maxTokens tokens each choice may generate
 */
public record PreparedRequest(OpenAiRequest request, int[] promptTokens, int maxTokens) {}
