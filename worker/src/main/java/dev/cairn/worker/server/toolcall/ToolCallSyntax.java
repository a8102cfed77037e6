package dev.cairn.worker.server.toolcall;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The tool-call formats the server can read out of free text ({@code tool_choice: "auto"}), picked
 * by what a model's chat template mentions: the template teaches the model its format.
 */
public enum ToolCallSyntax {
  /** {@code <tool_call>{"name", "arguments"}</tool_call>}: Hermes, Qwen2.5, Qwen3. */
  HERMES(HermesCallReader::new),
  /** {@code {"name", "parameters"}}, perhaps after {@code <|python_tag|>}: Llama 3.1 to 3.3. */
  LLAMA3_JSON(LlamaJsonCallReader::new);

  private final Function<Supplier<String>, ToolCallReader> reader;

  ToolCallSyntax(Function<Supplier<String>, ToolCallReader> reader) {
    this.reader = reader;
  }

  /** A reader for one choice's text, naming calls with {@code ids}. */
  public ToolCallReader newReader(Supplier<String> ids) {
    return reader.apply(ids);
  }

  /**
   * The format a template teaches, or null when it teaches none this server reads (see {@link
   * #mentionsTools} for whether it takes tools at all).
   */
  public static ToolCallSyntax detect(String template) {
    if (template.contains(HermesCallReader.OPEN)) {
      return HERMES;
    }
    if (template.contains(LlamaJsonCallReader.PYTHON_TAG)
        || (mentionsTools(template) && template.contains("\"parameters\""))) {
      return LLAMA3_JSON;
    }
    return null;
  }

  /** True when the template reads the {@code tools} variable. */
  public static boolean mentionsTools(String template) {
    return template.matches("(?s).*\\{[{%]-?[^}]*\\btools\\b.*");
  }
}
