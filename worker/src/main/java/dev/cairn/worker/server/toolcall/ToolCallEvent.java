package dev.cairn.worker.server.toolcall;

/** What a {@link ToolCallReader} makes of model text: plain content or a piece of a tool call. */
public sealed interface ToolCallEvent {

  /** Text for the message's {@code content}. */
  record Content(String text) implements ToolCallEvent {}

  /** A call begins: its position among the message's calls, its {@code call_…} id, the function. */
  record Start(int index, String id, String name) implements ToolCallEvent {}

  /** The next piece of call {@code index}'s {@code arguments} JSON text. */
  record Arguments(int index, String fragment) implements ToolCallEvent {}
}
