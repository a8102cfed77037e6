package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.server.toolcall.ToolCallSyntax;
import dev.cairn.worker.tokenizer.ChatTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A Qwen2.5-style template given a request's tools and a conversation with a call and its result:
 * the tools reach the system turn, the call and the result are written back in the template's
 * format, and the template's syntax is recognised for tool_choice auto.
 */
class TemplateRendererTest {

  @Test
  void toolsCallsAndResultsGoThroughTheTemplate() throws IOException {
    TemplateRenderer renderer;
    try (InputStream in = getClass().getResourceAsStream("/chat-templates/qwen2.5-tools.jinja")) {
      renderer =
          new TemplateRenderer(
              new ChatTemplate(
                  new String(in.readAllBytes(), StandardCharsets.UTF_8), "", "<|im_end|>"));
    }
    assertThat(renderer.toolCallSyntax()).isEqualTo(ToolCallSyntax.HERMES);
    assertThat(renderer.takesTools()).isTrue();
    OpenAiRequest r =
        RequestParser.parse(
            Endpoint.CHAT_COMPLETIONS,
            """
            {"tools": [{"type": "function", "function": {"name": "now", "description": "Time",
               "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}}],
             "messages": [{"role": "user", "content": "Time in UTC?"},
               {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1",
                 "type": "function", "function": {"name": "now", "arguments": "{\\"tz\\": \\"UTC\\"}"}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "12:00"}]}
            """,
            SamplingDefaults.none());
    String prompt = renderer.render(r.messages(), true, r.tools().template());
    assertThat(prompt)
        .contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"now\"")
        .contains(
            "<|im_start|>assistant\n<tool_call>\n{\"name\": \"now\", \"arguments\":"
                + " {\"tz\":\"UTC\"}}\n</tool_call><|im_end|>")
        .contains("<|im_start|>user\n<tool_response>\n12:00\n</tool_response><|im_end|>")
        .endsWith("<|im_start|>assistant\n");
  }
}
