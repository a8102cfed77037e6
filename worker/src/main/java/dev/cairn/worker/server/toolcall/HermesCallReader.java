package dev.cairn.worker.server.toolcall;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Hermes-style calls, as Qwen2.5 and Hermes models write them: {@code <tool_call>\n{"name": ...,
 * "arguments": {...}}\n</tool_call>}, any number, possibly after some text. Content streams as it
 * comes except a tail that may open a tag (and whitespace before it); a call is reported when its
 * closing tag arrives, or at the end when the model stopped without one.
 */
public final class HermesCallReader implements ToolCallReader {
  static final String OPEN = "<tool_call>";
  static final String CLOSE = "</tool_call>";

  private final Supplier<String> ids;
  private final StringBuilder pending = new StringBuilder();
  private boolean inCall;
  private int calls;

  public HermesCallReader(Supplier<String> ids) {
    this.ids = ids;
  }

  @Override
  public List<ToolCallEvent> feed(String delta) {
    pending.append(delta);
    List<ToolCallEvent> events = new ArrayList<>();
    while (true) {
      int tag = pending.indexOf(inCall ? CLOSE : OPEN);
      if (tag < 0) {
        break;
      }
      String before = pending.substring(0, tag);
      pending.delete(0, tag + (inCall ? CLOSE : OPEN).length());
      if (inCall) {
        events.addAll(call(before, true));
      } else {
        content(before.stripTrailing(), events);
      }
      inCall = !inCall;
    }
    if (!inCall) {
      int hold = holdFrom(pending);
      content(pending.substring(0, hold), events);
      pending.delete(0, hold);
    }
    return events;
  }

  @Override
  public List<ToolCallEvent> finish() {
    List<ToolCallEvent> events = new ArrayList<>();
    if (inCall) {
      events.addAll(call(pending.toString(), false));
    } else {
      content(calls > 0 ? pending.toString().strip() : pending.toString(), events);
    }
    pending.setLength(0);
    return events;
  }

  /** A call's body, or (when it is not a call) the tagged text given back as content. */
  private List<ToolCallEvent> call(String body, boolean closed) {
    List<ToolCallEvent> events = CallJson.call(CallJson.tree(body), calls, ids, "arguments");
    if (events == null) {
      return List.of(new ToolCallEvent.Content(OPEN + body + (closed ? CLOSE : "")));
    }
    calls++;
    return events;
  }

  /** Between and after calls, whitespace is layout, not content. */
  private void content(String text, List<ToolCallEvent> events) {
    if (!text.isEmpty() && !(calls > 0 && text.isBlank())) {
      events.add(new ToolCallEvent.Content(text));
    }
  }

  /** Where the undecided tail starts: a possible opening tag and the whitespace before it. */
  private static int holdFrom(CharSequence s) {
    int hold = s.length();
    for (int k = Math.min(OPEN.length() - 1, s.length()); k > 0; k--) {
      if (OPEN.startsWith(s.subSequence(s.length() - k, s.length()).toString())) {
        hold = s.length() - k;
        break;
      }
    }
    while (hold > 0 && Character.isWhitespace(s.charAt(hold - 1))) {
      hold--;
    }
    return hold;
  }
}
