package dev.cairn.worker.server.toolcall;

import java.util.ArrayList;
import java.util.List;

/**
 * One choice's tool calls as they are read: passes a {@link ToolCallReader}'s events on to the
 * stream and keeps their sum for the final message.
 */
public final class ToolCallStream {

  /**
   * One call, complete or (cut short by max_tokens) not.
   *
   * @param id its {@code call_…} id
   * @param name the function
   * @param arguments the arguments as JSON text
   */
  public record Call(String id, String name, StringBuilder arguments) {}

  private final ToolCallReader reader;
  private final StringBuilder content = new StringBuilder();
  private final List<Call> calls = new ArrayList<>();

  public ToolCallStream(ToolCallReader reader) {
    this.reader = reader;
  }

  /** The events the next piece of text decides. */
  public List<ToolCallEvent> feed(String delta) {
    return record(reader.feed(delta));
  }

  /** The events the end of generation decides. */
  public List<ToolCallEvent> finish() {
    return record(reader.finish());
  }

  /** Feeds the whole text at once and finishes (a response that is not streamed). */
  public void readAll(String text) {
    feed(text);
    finish();
  }

  public String content() {
    return content.toString();
  }

  public List<Call> calls() {
    return calls;
  }

  private List<ToolCallEvent> record(List<ToolCallEvent> events) {
    for (ToolCallEvent e : events) {
      switch (e) {
        case ToolCallEvent.Content c -> content.append(c.text());
        case ToolCallEvent.Start s -> calls.add(new Call(s.id(), s.name(), new StringBuilder()));
        case ToolCallEvent.Arguments a -> calls.get(a.index()).arguments().append(a.fragment());
      }
    }
    return events;
  }
}
