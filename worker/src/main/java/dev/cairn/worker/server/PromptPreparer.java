package dev.cairn.worker.server;

import dev.cairn.worker.tokenizer.ChatTemplateException;

/**
 * Checks the model name, renders and encodes the prompt, and fits max_tokens to the context. Runs
 * off the event loop: chat templating and tokenization cost milliseconds on long prompts.
 */
final class PromptPreparer {
  private PromptPreparer() {}

  static PreparedRequest prepare(OpenAiRequest req, ServedModel model) {
    if (req.model() != null && !req.model().equals(model.id())) {
      throw ApiException.modelNotFound(req.model());
    }
    int[] tokens = encode(req, model);
    if (tokens.length == 0) {
      throw ApiException.badRequest(
          req.isChat() ? "messages" : "prompt", "The prompt is empty after tokenization");
    }
    int vocab = model.tokenizer().vocabSize();
    for (int id : tokens) {
      if (id >= vocab) {
        throw ApiException.badRequest(
            "prompt", "Token id " + id + " is out of vocabulary (size " + vocab + ")");
      }
    }
    return new PreparedRequest(
        req,
        tokens,
        maxTokens(req, tokens.length, model.maxModelLen(), model.defaults().maxTokens()));
  }

  private static int[] encode(OpenAiRequest req, ServedModel model) {
    if (req.promptTokens() != null) {
      return req.promptTokens();
    }
    String text = req.promptText();
    if (req.isChat()) {
      try {
        text = model.chatTemplate().render(req.messages(), req.addGenerationPrompt());
      } catch (ChatTemplateException | IllegalArgumentException e) {
        throw ApiException.badRequest("messages", "Chat template error: " + e.getMessage());
      }
    }
    return model.tokenizer().encode(text);
  }

  /**
   * The requested max_tokens, else the model's default, else what is left of the context; 400 when
   * the request does not fit.
   */
  static int maxTokens(OpenAiRequest req, int promptLen, int maxModelLen, Integer defaultMax) {
    String field = req.isChat() ? "messages" : "prompt";
    if (promptLen >= maxModelLen) {
      throw ApiException.badRequest(
          field,
          "This model's maximum context length is "
              + maxModelLen
              + " tokens; your request has "
              + promptLen
              + " input tokens, which leaves no room for the completion. Please reduce the length"
              + " of the "
              + (req.isChat() ? "messages." : "prompt."));
    }
    Integer requested = req.sampling().maxTokens();
    if (requested == null) {
      // A default from generation_config.json is a preference, not a demand: clamp it.
      int room = maxModelLen - promptLen;
      return defaultMax == null ? room : Math.min(defaultMax, room);
    }
    if (promptLen + requested > maxModelLen) {
      throw ApiException.badRequest(
          req.isChat() ? "max_completion_tokens" : "max_tokens",
          "This model's maximum context length is "
              + maxModelLen
              + " tokens; your request has "
              + (promptLen + requested)
              + " tokens ("
              + promptLen
              + " in the "
              + (req.isChat() ? "messages" : "prompt")
              + ", "
              + requested
              + " in the completion). Please reduce the length of the "
              + (req.isChat() ? "messages" : "prompt")
              + " or the completion.");
    }
    return requested;
  }
}
