package dev.cairn.worker.server;

import dev.cairn.worker.server.toolcall.ToolCallSyntax;
import dev.cairn.worker.tokenizer.ChatMessage;
import dev.cairn.worker.tokenizer.ChatTemplate;
import java.util.List;
import java.util.Map;

/** A {@link ChatRenderer} over a model's Jinja chat template, tools included. */
public final class TemplateRenderer implements ChatRenderer {
  private final ChatTemplate template;
  private final ToolCallSyntax syntax;
  private final boolean takesTools;

  public TemplateRenderer(ChatTemplate template) {
    this.template = template;
    this.syntax = ToolCallSyntax.detect(template.source());
    this.takesTools = ToolCallSyntax.mentionsTools(template.source());
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return template.render(messages, addGenerationPrompt);
  }

  @Override
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
    if (tools == null || tools.isEmpty()) {
      return render(messages, addGenerationPrompt);
    }
    return template.render(messages, addGenerationPrompt, Map.of("tools", tools));
  }

  @Override
  public ToolCallSyntax toolCallSyntax() {
    return syntax;
  }

  @Override
  public boolean takesTools() {
    return takesTools;
  }
}
