package dev.cairn.worker.server.toolcall;

import java.util.List;

/**
 * Reads tool calls out of model text as it streams: each delta yields what can already be said for
 * sure; text that may still turn out to be part of a call is held back until it is decided.
 * Concatenating every event of a run gives the same message whether the text came in one piece or
 * token by token.
 */
public interface ToolCallReader {

  /** The events the text so far decides, given the next piece of it. */
  List<ToolCallEvent> feed(String delta);

  /** The generation ended: everything still held back, decided. */
  List<ToolCallEvent> finish();
}
