package dev.cairn.worker.server.toolcall;

import dev.cairn.worker.structured.ToolCallGrammar;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the calls a constrained output holds ({@link ToolCallGrammar}'s fixed layout: one call, or
 * a list of them): each call starts once its name is complete, then its arguments stream byte for
 * byte. The arguments' end is found by nesting (strings and escapes skipped), so nothing is held
 * back: the first closing brace outside the arguments is the call wrapper's.
 */
public final class ForcedCallReader implements ToolCallReader {
  private static final Pattern HEADER =
      Pattern.compile(
          Pattern.quote(ToolCallGrammar.prefix("\u0000"))
              .replace("\u0000", "\\E([a-zA-Z0-9_-]{1,64})\\Q"));

  private enum State {
    OPEN,
    HEADER,
    ARGUMENTS,
    BETWEEN,
    DONE
  }

  private final Supplier<String> ids;
  private final boolean several;
  private final StringBuilder text = new StringBuilder();
  private State state;
  private int at; // the next character of text not yet consumed
  private int index = -1; // the call being read
  private int depth;
  private boolean inString;
  private boolean escaped;

  /** A reader of one call. */
  public ForcedCallReader(Supplier<String> ids) {
    this(ids, false);
  }

  /** A reader of one call, or with {@code several} of a list of one or more. */
  public ForcedCallReader(Supplier<String> ids, boolean several) {
    this.ids = ids;
    this.several = several;
    this.state = several ? State.OPEN : State.HEADER;
  }

  @Override
  public List<ToolCallEvent> feed(String delta) {
    text.append(delta);
    List<ToolCallEvent> events = new ArrayList<>();
    while (at < text.length()) {
      boolean progressed =
          switch (state) {
            case OPEN -> expect(ToolCallGrammar.OPEN, State.HEADER);
            case HEADER -> header(events);
            case ARGUMENTS -> arguments(events);
            case BETWEEN -> between();
            case DONE -> {
              at = text.length(); // the grammar allows nothing after the last call
              yield true;
            }
          };
      if (!progressed) {
        break;
      }
    }
    return events;
  }

  private boolean expect(String literal, State next) {
    if (text.length() - at < literal.length()) {
      return false;
    }
    at += literal.length();
    state = next;
    return true;
  }

  private boolean header(List<ToolCallEvent> events) {
    Matcher m = HEADER.matcher(text).region(at, text.length());
    if (!m.lookingAt()) {
      return false;
    }
    index++;
    events.add(new ToolCallEvent.Start(index, ids.get(), m.group(1)));
    at = m.end();
    state = State.ARGUMENTS;
    depth = 0;
    inString = false;
    escaped = false;
    return true;
  }

  private boolean arguments(List<ToolCallEvent> events) {
    int start = at;
    int i = at;
    boolean wrapperEnd = false;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          wrapperEnd = true;
          break;
        }
        depth--;
      }
    }
    if (i > start) {
      events.add(new ToolCallEvent.Arguments(index, text.substring(start, i)));
    }
    at = wrapperEnd ? i + ToolCallGrammar.SUFFIX.length() : i;
    if (wrapperEnd) {
      state = several ? State.BETWEEN : State.DONE;
    }
    return wrapperEnd;
  }

  private boolean between() {
    if (text.indexOf(ToolCallGrammar.CLOSE, at) == at) {
      at += ToolCallGrammar.CLOSE.length();
      state = State.DONE;
      return true;
    }
    return expect(ToolCallGrammar.SEPARATOR, State.HEADER);
  }

  @Override
  public List<ToolCallEvent> finish() {
    // Cut short (max_tokens) before the first name was complete: no call to report, only its
    // text. A later call's partial header is list syntax, not content: the calls before it stand,
    // and finish_reason "length" tells the client the answer was cut.
    if (index < 0 && !text.isEmpty()) {
      return List.of(new ToolCallEvent.Content(text.toString()));
    }
    return List.of();
  }
}
