package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.server.toolcall.ToolCallEvent;
import dev.cairn.worker.server.toolcall.ToolCallStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat JSON of a choice whose text is read for tool calls: {@code message.tool_calls} with
 * {@code content: null} when there are calls, and in a stream, OpenAI's deltas (a call's first
 * delta carries its id, type and name with empty arguments; the following ones carry argument
 * fragments).
 */
final class ToolCallChunks {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ToolCallChunks() {}

  /** Fills a whole response's message from the choice's complete text. */
  static void message(ObjectNode message, ChoiceState c) {
    c.tools.readAll(c.text.toString());
    List<ToolCallStream.Call> calls = c.tools.calls();
    String content = c.tools.content();
    if (calls.isEmpty()) {
      message.put("content", content);
      return;
    }
    if (content.isBlank()) {
      message.putNull("content");
    } else {
      message.put("content", content);
    }
    ArrayNode array = message.putArray("tool_calls");
    for (ToolCallStream.Call call : calls) {
      ObjectNode json = array.addObject();
      json.put("id", call.id());
      json.put("type", "function");
      ObjectNode function = json.putObject("function");
      function.put("name", call.name());
      function.put("arguments", call.arguments().toString());
    }
  }

  /** "tool_calls" when a choice that stopped by itself made calls, else the usual reason. */
  static String finishReason(ChoiceState c) {
    if (c.finishReason == FinishReason.STOP && !c.tools.calls().isEmpty()) {
      return "tool_calls";
    }
    return ResponseFormat.finishReason(c);
  }

  /**
   * The deltas of one engine output, one per event run (content, a call's start, its arguments);
   * the last carries the output's logprobs and, when finished, the finish reason. Empty while the
   * reader holds everything back and there is nothing else to say.
   */
  static List<ObjectNode> deltas(ChoiceState c, RequestOutput out, boolean withLogprobs) {
    List<ToolCallEvent> events = new ArrayList<>(c.tools.feed(out.textDelta()));
    if (out.finished()) {
      events.addAll(c.tools.finish());
    }
    List<ObjectNode> chunks = new ArrayList<>();
    for (ToolCallEvent e : events) {
      ObjectNode last = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
      if (!append(last, e)) {
        chunks.add(delta(c.index, e));
      }
    }
    boolean logprobs = withLogprobs && !out.logprobs().isEmpty();
    if (chunks.isEmpty() && (out.finished() || logprobs)) {
      ObjectNode empty = F.objectNode();
      empty.put("index", c.index);
      empty.putObject("delta");
      chunks.add(empty);
    }
    if (!chunks.isEmpty()) {
      ObjectNode last = chunks.get(chunks.size() - 1);
      last.set(
          "logprobs", withLogprobs ? LogprobsJson.chat(out.logprobs(), out.topLogprobs()) : null);
      last.put("finish_reason", finishReason(c));
      ResponseFormat.putStopReason(last, c);
    }
    for (ObjectNode chunk : chunks) {
      chunk.putIfAbsent("logprobs", F.nullNode());
      chunk.putIfAbsent("finish_reason", F.nullNode());
    }
    return chunks;
  }

  private static ObjectNode delta(int index, ToolCallEvent e) {
    ObjectNode choice = F.objectNode();
    choice.put("index", index);
    ObjectNode delta = choice.putObject("delta");
    switch (e) {
      case ToolCallEvent.Content content -> delta.put("content", content.text());
      case ToolCallEvent.Start start -> {
        ObjectNode call = delta.putArray("tool_calls").addObject();
        call.put("index", start.index());
        call.put("id", start.id());
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", start.name());
        function.put("arguments", "");
      }
      case ToolCallEvent.Arguments args -> {
        ObjectNode call = delta.putArray("tool_calls").addObject();
        call.put("index", args.index());
        call.putObject("function").put("arguments", args.fragment());
      }
    }
    return choice;
  }

  /** Merges content into content and arguments into the same call's arguments. */
  private static boolean append(ObjectNode last, ToolCallEvent e) {
    if (last == null) {
      return false;
    }
    ObjectNode delta = (ObjectNode) last.get("delta");
    if (e instanceof ToolCallEvent.Content content && delta.has("content")) {
      delta.put("content", delta.get("content").asText() + content.text());
      return true;
    }
    if (e instanceof ToolCallEvent.Arguments args
        && delta.has("tool_calls")
        && !delta.get("tool_calls").get(0).has("id")
        && delta.get("tool_calls").get(0).get("index").asInt() == args.index()) {
      ObjectNode function = (ObjectNode) delta.get("tool_calls").get(0).get("function");
      function.put("arguments", function.get("arguments").asText() + args.fragment());
      return true;
    }
    return false;
  }
}
