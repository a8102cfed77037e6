package dev.cairn.worker.server.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Llama 3.1/3.2-style calls: the whole answer is {@code {"name": ..., "parameters": {...}}}
 * (several separated by semicolons), optionally after {@code <|python_tag|>}. An answer that opens
 * with anything else is content and streams at once; one that opens like a call is held to the end
 * and given back as content when it does not parse as calls.
 */
public final class LlamaJsonCallReader implements ToolCallReader {
  static final String PYTHON_TAG = "<|python_tag|>";

  private final Supplier<String> ids;
  private final StringBuilder held = new StringBuilder();
  private Boolean calls; // null until the answer's first characters decide

  public LlamaJsonCallReader(Supplier<String> ids) {
    this.ids = ids;
  }

  @Override
  public List<ToolCallEvent> feed(String delta) {
    if (Boolean.FALSE.equals(calls)) {
      return delta.isEmpty() ? List.of() : List.of(new ToolCallEvent.Content(delta));
    }
    held.append(delta);
    if (calls == null) {
      String start = held.toString().stripLeading();
      if (start.isEmpty()
          || (PYTHON_TAG.startsWith(start) && start.length() < PYTHON_TAG.length())) {
        return List.of();
      }
      calls = start.startsWith("{") || start.startsWith(PYTHON_TAG);
      if (!calls) {
        String text = held.toString();
        held.setLength(0);
        return List.of(new ToolCallEvent.Content(text));
      }
    }
    return List.of();
  }

  @Override
  public List<ToolCallEvent> finish() {
    String text = held.toString();
    held.setLength(0);
    if (text.isEmpty()) {
      return List.of();
    }
    String body = text.strip();
    body = body.startsWith(PYTHON_TAG) ? body.substring(PYTHON_TAG.length()) : body;
    List<JsonNode> values = CallJson.sequence(body);
    List<ToolCallEvent> events = new ArrayList<>();
    for (int i = 0; values != null && !values.isEmpty() && i < values.size(); i++) {
      List<ToolCallEvent> call = CallJson.call(values.get(i), i, ids, "parameters", "arguments");
      if (call == null) {
        return List.of(new ToolCallEvent.Content(text));
      }
      events.addAll(call);
    }
    return events.isEmpty() ? List.of(new ToolCallEvent.Content(text)) : events;
  }
}
