package dev.cairn.worker.server;

import dev.cairn.worker.tokenizer.ChatTemplateException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the model name and logit_bias ids, renders and encodes the prompts, and fits max_tokens to
 * the context. Runs off the event loop: chat templating and tokenization cost milliseconds on long
 * prompts.
 */
final class PromptPreparer {
  private PromptPreparer() {}

  static PreparedRequest prepare(OpenAiRequest req, ServedModel model) {
    // The model name (base or LoRA adapter) is resolved by AdapterJob before this runs.
    int vocab = model.tokenizer().vocabSize();
    for (int id : req.sampling().logitBias().keySet()) {
      if (id >= vocab) {
        throw ApiException.badRequest(
            "logit_bias",
            "Token id " + id + " in logit_bias is out of vocabulary (size " + vocab + ")");
      }
    }
    List<int[]> prompts = new ArrayList<>();
    if (req.isChat()) {
      prompts.add(model.tokenizer().encode(renderChat(req, model)));
    } else {
      for (OpenAiRequest.Prompt p : req.prompts()) {
        prompts.add(p.tokens() != null ? p.tokens() : model.tokenizer().encode(p.text()));
      }
    }
    int[] maxTokens = new int[prompts.size()];
    for (int i = 0; i < maxTokens.length; i++) {
      int[] tokens = prompts.get(i);
      check(req, tokens, vocab);
      maxTokens[i] =
          maxTokens(req, tokens.length, model.maxModelLen(), model.defaults().maxTokens());
    }
    return new PreparedRequest(constrained(req, model), List.copyOf(prompts), maxTokens);
  }

  /** Compiles the request's structured output here, off the event loop and the engine thread. */
  private static OpenAiRequest constrained(OpenAiRequest req, ServedModel model) {
    ToolSpec tools = req.tools();
    if (tools != null && tools.choice() == ToolSpec.Choice.AUTO) {
      requireToolSyntax(model);
    }
    if (tools != null && tools.forced()) {
      if (model.structured() == null) {
        throw ApiException.badRequest(
            "tool_choice", "Constrained tool calls are not available for model " + model.id());
      }
      return req.withSampling(model.structured().constrainTools(tools, req.sampling()));
    }
    StructuredSpec spec = req.structured();
    if (spec == null) {
      return req;
    }
    if (model.structured() == null) {
      throw ApiException.badRequest(
          spec.param(), "Structured output is not available for model " + model.id());
    }
    return req.withSampling(model.structured().constrain(spec, req.sampling()));
  }

  /** tool_choice auto reads the model's own call format, which its template must teach. */
  private static void requireToolSyntax(ServedModel model) {
    ChatRenderer template = model.chatTemplate();
    if (template.toolCallSyntax() == null) {
      throw ApiException.badRequest(
          "tool_choice",
          template.takesTools()
              ? "tool_choice 'auto' needs a tool-call format this server can read, and the chat"
                  + " template of model "
                  + model.id()
                  + " teaches none it knows (Hermes <tool_call> tags or Llama 3 JSON); use"
                  + " 'required' or a named function"
              : "tool_choice 'auto' needs a chat template with tool support, and model "
                  + model.id()
                  + "'s template does not read 'tools'; use 'required' or a named function");
    }
  }

  private static void check(OpenAiRequest req, int[] tokens, int vocab) {
    if (tokens.length == 0) {
      throw ApiException.badRequest(
          req.isChat() ? "messages" : "prompt", "The prompt is empty after tokenization");
    }
    for (int id : tokens) {
      if (id >= vocab) {
        throw ApiException.badRequest(
            "prompt", "Token id " + id + " is out of vocabulary (size " + vocab + ")");
      }
    }
  }

  private static String renderChat(OpenAiRequest req, ServedModel model) {
    try {
      return req.tools() == null
          ? model.chatTemplate().render(req.messages(), req.addGenerationPrompt())
          : model
              .chatTemplate()
              .render(req.messages(), req.addGenerationPrompt(), req.tools().template());
    } catch (ChatTemplateException | IllegalArgumentException e) {
      throw ApiException.badRequest("messages", "Chat template error: " + e.getMessage());
    }
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
    Integer requested = req.requestedMaxTokens();
    if (requested == null) {
      // A default from generation_config.json is a preference, not a demand: clamp it.
      int room = maxModelLen - promptLen;
      return defaultMax == null ? room : Math.min(defaultMax, room);
    }
    if (promptLen + requested > maxModelLen) {
      throw ApiException.badRequest(
          req.maxTokensField(),
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
