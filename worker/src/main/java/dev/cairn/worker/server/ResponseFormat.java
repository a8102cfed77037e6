package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.TokenLogprob;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Builds the JSON of one endpoint's answers: whole responses and streaming chunks. The envelope
 * ({@code id}, {@code object}, {@code created}, {@code model}) is shared; the choice objects differ
 * between chat and completions.
 */
abstract class ResponseFormat {
  protected static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final String id;
  private final long created;
  private final String model;

  ResponseFormat(String id, long created, String model) {
    this.id = id;
    this.created = created;
    this.model = model;
  }

  static ResponseFormat of(Endpoint endpoint, String id, long created, String model) {
    return endpoint == Endpoint.CHAT_COMPLETIONS
        ? new ChatFormat(id, created, model)
        : new CompletionFormat(id, created, model);
  }

  /** The id prefix of this endpoint's responses. */
  static String idPrefix(Endpoint endpoint) {
    return endpoint == Endpoint.CHAT_COMPLETIONS ? "chatcmpl-" : "cmpl-";
  }

  /** The {@code object} of whole responses. */
  abstract String responseObject();

  /** The {@code object} of streaming chunks. */
  abstract String chunkObject();

  /** The choice of a whole (non-streaming) response. */
  abstract ObjectNode finalChoice(ChoiceState choice, boolean withLogprobs);

  /** A streaming choice for one engine output, whose tokens {@code choice} already includes. */
  abstract ObjectNode deltaChoice(ChoiceState choice, RequestOutput out, boolean withLogprobs);

  /** The chunk that opens a choice's stream, or null when the endpoint has none. */
  abstract ObjectNode openingChoice(int index);

  /** The opening chunk of this choice (one read for tool calls opens without content). */
  ObjectNode openingChoice(ChoiceState choice) {
    return openingChoice(choice.index);
  }

  /**
   * The streaming choices for one engine output: none when it carries nothing to send (no text, no
   * logprobs, not finished), else one (several for tool calls, see {@link ToolCallChunks}).
   */
  List<ObjectNode> deltaChoices(ChoiceState choice, RequestOutput out, boolean withLogprobs) {
    if (out.finished() || !out.textDelta().isEmpty() || !out.logprobs().isEmpty()) {
      return List.of(deltaChoice(choice, out, withLogprobs));
    }
    return List.of();
  }

  ObjectNode response(Collection<ChoiceState> choices, boolean withLogprobs, int promptTokens) {
    ObjectNode root = envelope(responseObject());
    ArrayNode arr = root.putArray("choices");
    for (ChoiceState c : choices) {
      arr.add(finalChoice(c, withLogprobs));
    }
    root.set("usage", usage(promptTokens, choices));
    return root;
  }

  ObjectNode chunk(ObjectNode choice) {
    ObjectNode root = envelope(chunkObject());
    root.putArray("choices").add(choice);
    return root;
  }

  /** The include_usage chunk: {@code choices: []} and the totals. */
  ObjectNode usageChunk(int promptTokens, Collection<ChoiceState> choices) {
    ObjectNode root = envelope(chunkObject());
    root.putArray("choices");
    root.set("usage", usage(promptTokens, choices));
    return root;
  }

  static ObjectNode usage(int promptTokens, Collection<ChoiceState> choices) {
    int completion = choices.stream().mapToInt(c -> c.generatedTokens).sum();
    ObjectNode u = F.objectNode();
    u.put("prompt_tokens", promptTokens);
    u.put("completion_tokens", completion);
    u.put("total_tokens", promptTokens + completion);
    return u;
  }

  private ObjectNode envelope(String object) {
    ObjectNode root = F.objectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    return root;
  }

  /** finish_reason as OpenAI spells it, or null while running. */
  static String finishReason(ChoiceState c) {
    return c.finishReason == null ? null : c.finishReason.label();
  }

  /** vLLM's stop_reason: the matched stop string or stop token id; null for EOS and length. */
  static void putStopReason(ObjectNode choice, ChoiceState c) {
    if (c.stopReason == null) {
      choice.putNull("stop_reason");
    } else if (c.stopReason.string() != null) {
      choice.put("stop_reason", c.stopReason.string());
    } else {
      choice.put("stop_reason", c.stopReason.tokenId());
    }
  }

  /** {@code /v1/chat/completions}. */
  static final class ChatFormat extends ResponseFormat {
    ChatFormat(String id, long created, String model) {
      super(id, created, model);
    }

    @Override
    String responseObject() {
      return "chat.completion";
    }

    @Override
    String chunkObject() {
      return "chat.completion.chunk";
    }

    @Override
    ObjectNode finalChoice(ChoiceState c, boolean withLogprobs) {
      ObjectNode choice = F.objectNode();
      choice.put("index", c.index);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      if (c.tools == null) {
        message.put("content", c.text.toString());
      } else {
        ToolCallChunks.message(message, c);
      }
      choice.set("logprobs", withLogprobs ? LogprobsJson.chat(c.logprobs, c.topLogprobs) : null);
      choice.put(
          "finish_reason", c.tools == null ? finishReason(c) : ToolCallChunks.finishReason(c));
      putStopReason(choice, c);
      return choice;
    }

    @Override
    ObjectNode deltaChoice(ChoiceState c, RequestOutput out, boolean withLogprobs) {
      ObjectNode choice = F.objectNode();
      choice.put("index", c.index);
      ObjectNode delta = choice.putObject("delta");
      if (!out.textDelta().isEmpty()) {
        delta.put("content", out.textDelta());
      }
      choice.set(
          "logprobs", withLogprobs ? LogprobsJson.chat(out.logprobs(), out.topLogprobs()) : null);
      choice.put("finish_reason", finishReason(c));
      putStopReason(choice, c);
      return choice;
    }

    @Override
    List<ObjectNode> deltaChoices(ChoiceState c, RequestOutput out, boolean withLogprobs) {
      return c.tools == null
          ? super.deltaChoices(c, out, withLogprobs)
          : ToolCallChunks.deltas(c, out, withLogprobs);
    }

    @Override
    ObjectNode openingChoice(ChoiceState c) {
      ObjectNode choice = openingChoice(c.index);
      if (c.tools != null) {
        // As OpenAI opens a call: the content is null until the reader decides there is some.
        ((ObjectNode) choice.get("delta")).putNull("content");
      }
      return choice;
    }

    @Override
    ObjectNode openingChoice(int index) {
      ObjectNode choice = F.objectNode();
      choice.put("index", index);
      ObjectNode delta = choice.putObject("delta");
      delta.put("role", "assistant");
      delta.put("content", "");
      choice.putNull("logprobs");
      choice.putNull("finish_reason");
      return choice;
    }
  }

  /** {@code /v1/completions}. */
  static final class CompletionFormat extends ResponseFormat {
    CompletionFormat(String id, long created, String model) {
      super(id, created, model);
    }

    @Override
    String responseObject() {
      return "text_completion";
    }

    @Override
    String chunkObject() {
      return "text_completion";
    }

    @Override
    ObjectNode finalChoice(ChoiceState c, boolean withLogprobs) {
      ObjectNode choice = F.objectNode();
      choice.put("index", c.index);
      choice.put("text", c.echoText == null ? c.text.toString() : c.echoText + c.text);
      choice.set("logprobs", withLogprobs ? logprobs(c) : null);
      choice.put("finish_reason", finishReason(c));
      putStopReason(choice, c);
      return choice;
    }

    @Override
    ObjectNode deltaChoice(ChoiceState c, RequestOutput out, boolean withLogprobs) {
      ObjectNode choice = F.objectNode();
      choice.put("index", c.index);
      choice.put("text", out.textDelta());
      choice.set(
          "logprobs",
          withLogprobs
              ? LogprobsJson.completion(out.logprobs(), out.topLogprobs(), c.textOffsetBefore)
              : null);
      choice.put("finish_reason", finishReason(c));
      putStopReason(choice, c);
      return choice;
    }

    /**
     * With echo, the prompt's tokens come first (as vLLM: the first has a null logprob and null
     * alternatives, having no context), then the completion's.
     */
    private static ObjectNode logprobs(ChoiceState c) {
      if (c.echoText == null) {
        return LogprobsJson.completion(c.logprobs, c.topLogprobs, 0);
      }
      List<TokenLogprob> tokens = new ArrayList<>();
      List<List<TokenLogprob>> tops = new ArrayList<>();
      tokens.add(c.echoFirstToken);
      tops.add(null);
      if (c.promptLogprobs != null) {
        tokens.addAll(c.promptLogprobs.tokens());
        tops.addAll(c.promptLogprobs.top());
      }
      tokens.addAll(c.logprobs);
      tops.addAll(c.topLogprobs);
      return LogprobsJson.completion(tokens, tops, 0);
    }

    @Override
    ObjectNode openingChoice(int index) {
      return null;
    }
  }
}
