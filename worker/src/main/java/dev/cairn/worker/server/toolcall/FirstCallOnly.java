package dev.cairn.worker.server.toolcall;

import java.util.List;

/**
 * {@code parallel_tool_calls: false} over a model's own call syntax, which may still write several
 * calls: the first call is the answer, later ones are dropped (vLLM's parsers return them all).
 */
public final class FirstCallOnly implements ToolCallReader {
  private final ToolCallReader reader;

  public FirstCallOnly(ToolCallReader reader) {
    this.reader = reader;
  }

  @Override
  public List<ToolCallEvent> feed(String delta) {
    return first(reader.feed(delta));
  }

  @Override
  public List<ToolCallEvent> finish() {
    return first(reader.finish());
  }

  private static List<ToolCallEvent> first(List<ToolCallEvent> events) {
    return events.stream()
        .filter(
            e ->
                switch (e) {
                  case ToolCallEvent.Content c -> true;
                  case ToolCallEvent.Start s -> s.index() == 0;
                  case ToolCallEvent.Arguments a -> a.index() == 0;
                })
        .toList();
  }
}
