package dev.cairn.worker.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;

/**
 * Renders a conversation into the prompt text with the model's Jinja chat template, the way Hugging
 * Face {@code apply_chat_template} does (trim_blocks and lstrip_blocks on).
 */
public final class ChatTemplate {

  // Python-Jinja behaviour HF templates rely on (operator precedence, `{%-` parsing, `{{-`
  // trimming, as in Qwen2.5's template, backslash escapes in quotes). Not LegacyOverrides.ALL: it
  // drops output's trailing newline and rejects
  // `{%-` written without a space, both of which real templates need.
  private static final LegacyOverrides JINJA_SEMANTICS =
      LegacyOverrides.newBuilder()
          .withUseNaturalOperatorPrecedence(true)
          .withParseWhitespaceControlStrictly(true)
          .withUseTrimmingForNotesAndExpressions(true)
          .withHandleBackslashInQuotesOnly(true)
          .withKeepNullableLoopValues(true)
          .withEvaluateMapKeys(true)
          .build();

  private final String source;
  private final String bosToken;
  private final String eosToken;
  private final Jinjava jinjava;

  /**
   * A template with the BOS/EOS strings it may refer to (empty strings when the model has none).
   */
  public ChatTemplate(String source, String bosToken, String eosToken) {
    this.source = source;
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.jinjava = newJinjava();
  }

  /** The template's Jinja source (what it mentions tells which tool-call format it teaches). */
  public String source() {
    return source;
  }

  /** The template of a tokenizer config, or an error when the model has none. */
  public static ChatTemplate of(TokenizerConfig config) {
    String source =
        config
            .chatTemplate()
            .orElseThrow(
                () ->
                    new ChatTemplateException(
                        "this model has no chat template (no chat_template in "
                            + TokenizerConfig.FILE
                            + "): use /v1/completions"));
    return new ChatTemplate(source, config.bosToken().orElse(""), config.eosToken().orElse(""));
  }

  /**
   * Renders the messages; {@code addGenerationPrompt} appends the assistant turn header.
   *
   * @throws ChatTemplateException with the template's own message when it raises an exception
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * Renders with extra template variables (a request's {@code chat_template_kwargs}, e.g. {@code
   * enable_thinking}); the standard variables cannot be overridden.
   */
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
    List<Map<String, Object>> items = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> item = new HashMap<>();
      item.put("role", m.role());
      item.put("content", m.content());
      if (m.toolCalls() != null) {
        item.put("tool_calls", m.toolCalls());
      }
      if (m.toolCallId() != null) {
        item.put("tool_call_id", m.toolCallId());
      }
      items.add(item);
    }
    Map<String, Object> bindings = new HashMap<>(extraVariables);
    bindings.put("messages", items);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    bindings.put("bos_token", bosToken);
    bindings.put("eos_token", eosToken);
    RenderResult result = jinjava.renderForResult(source, bindings);
    // renderForResult records failures instead of throwing (stack.md trap 10). Jinjava rates some
    // syntax errors (an unclosed tag, a stray end tag) as warnings, which Jinja2 refuses to render.
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL
          || error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
        throw new ChatTemplateException(describe(error));
      }
    }
    return result.getOutput();
  }

  /**
   * Renders a one-message conversation so that a broken template fails when the model loads, not on
   * the first request (which would also pay Jinjava's start-up cost of a few seconds).
   *
   * @throws ChatTemplateException when the template cannot render a single user message
   */
  public void check() {
    render(List.of(new ChatMessage("user", "Hello")), true);
  }

  /** Called by templates as {@code raise_exception('message')}. */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  /** Called by templates as {@code strftime_now('%d %b %Y')} (Llama 3.x system prompts). */
  public static String strftimeNow(String format) {
    return StrftimeFormatter.format(ZonedDateTime.now(), format);
  }

  private static String describe(TemplateError error) {
    for (Throwable t = error.getException(); t != null; t = t.getCause()) {
      if (t instanceof TemplateRaised raised) {
        return raised.getMessage();
      }
    }
    return "chat template error at line " + error.getLineno() + ": " + error.getMessage();
  }

  private static Jinjava newJinjava() {
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withLegacyOverrides(JINJA_SEMANTICS)
            .withElResolver(resolver())
            .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
    return jinjava;
  }

  private static ELResolver resolver() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    return resolver;
  }

  /** Carries a template's own error message out of Jinjava. */
  private static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message);
    }
  }
}
