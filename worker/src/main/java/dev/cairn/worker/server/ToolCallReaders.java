package dev.cairn.worker.server;

import dev.cairn.worker.server.toolcall.CallIds;
import dev.cairn.worker.server.toolcall.FirstCallOnly;
import dev.cairn.worker.server.toolcall.ForcedCallReader;
import dev.cairn.worker.server.toolcall.ToolCallStream;

/** Which reader, if any, a chat choice's text goes through for tool calls. */
final class ToolCallReaders {
  private static final CallIds IDS = new CallIds();

  private ToolCallReaders() {}

  /**
   * A forced call's fixed layout, the template's own format for {@code auto}, or null: no tools, or
   * {@code none} (the tools reached the template, and the answer stays text).
   */
  static ToolCallStream forChoice(ToolSpec tools, ChatRenderer template) {
    if (tools == null || tools.choice() == ToolSpec.Choice.NONE) {
      return null;
    }
    if (tools.forced()) {
      return new ToolCallStream(new ForcedCallReader(IDS, tools.severalCalls()));
    }
    // PromptPreparer has refused auto for templates without a known syntax.
    var reader = template.toolCallSyntax().newReader(IDS);
    return new ToolCallStream(tools.parallel() ? reader : new FirstCallOnly(reader));
  }
}
