package dev.cairn.worker.server.toolcall;

import dev.cairn.worker.structured.ToolCallGrammar;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the one call a constrained output holds ({@link ToolCallGrammar}'s fixed layout): the call
 * starts once the name is complete, then the arguments stream byte for byte, holding back only the
 * last character, which may be the wrapper's closing brace.
 */
public final class ForcedCallReader implements ToolCallReader {
  private static final Pattern HEADER =
      Pattern.compile(
          Pattern.quote(ToolCallGrammar.prefix("\u0000"))
              .replace("\u0000", "\\E([a-zA-Z0-9_-]{1,64})\\Q"));

  private final Supplier<String> ids;
  private final StringBuilder text = new StringBuilder();
  // Characters of text already sent as arguments; -1 until the header is complete.
  private int sent = -1;

  public ForcedCallReader(Supplier<String> ids) {
    this.ids = ids;
  }

  @Override
  public List<ToolCallEvent> feed(String delta) {
    text.append(delta);
    List<ToolCallEvent> events = new ArrayList<>();
    if (sent < 0) {
      Matcher m = HEADER.matcher(text);
      if (!m.lookingAt()) {
        return events;
      }
      events.add(new ToolCallEvent.Start(0, ids.get(), m.group(1)));
      sent = m.end();
    }
    int safe = text.length() - ToolCallGrammar.SUFFIX.length();
    if (safe > sent) {
      events.add(new ToolCallEvent.Arguments(0, text.substring(sent, safe)));
      sent = safe;
    }
    return events;
  }

  @Override
  public List<ToolCallEvent> finish() {
    if (sent < 0) {
      // Cut short (max_tokens) before the name was complete: no call to report, only its text.
      return text.isEmpty() ? List.of() : List.of(new ToolCallEvent.Content(text.toString()));
    }
    // A complete call ends with the wrapper's brace; a cut-short one keeps every byte.
    boolean complete = CallJson.tree(text.toString()) != null;
    int end = complete ? text.length() - ToolCallGrammar.SUFFIX.length() : text.length();
    return end > sent
        ? List.of(new ToolCallEvent.Arguments(0, text.substring(sent, end)))
        : List.of();
  }
}
