package dev.cairn.worker.server;

/**
 * One chat message as the chat template sees it.
 *
 * @param role system, developer, user, assistant or tool
 * @param content the text (array content parts already joined); may be empty
 */
public record ChatMessage(String role, String content) {}
